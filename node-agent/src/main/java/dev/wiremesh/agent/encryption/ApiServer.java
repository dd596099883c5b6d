package dev.wiremesh.agent.encryption;

import dev.wiremesh.wireguard.allowedips.IpPrefix;

/**
 * One address of the Kubernetes API server, always exempt from the drop rules.
 *
 * @param address a host prefix (/32 or /128)
 * @param port its TCP port
 */
public record ApiServer(IpPrefix address, int port) {
  /**
   * Parses {@code 192.0.2.10:6443} or {@code [2001:db8::10]:6443}.
   *
   * @throws IllegalArgumentException naming the text and what is valid
   */
  public static ApiServer parse(String text) {
    String t = text == null ? "" : text.strip();
    int colon = t.lastIndexOf(':');
    String host = colon < 0 ? "" : t.substring(0, colon);
    String port = colon < 0 ? "" : t.substring(colon + 1);
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (bracketed) {
      host = host.substring(1, host.length() - 1);
    }
    IpPrefix address;
    try {
      address = IpPrefix.parse(host);
    } catch (IllegalArgumentException e) {
      address = null;
    }
    if (address == null
        || host.contains("/")
        || (bracketed == address.isIpv4())
        || !port.matches("[0-9]{1,5}")
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not an address and port such as 192.0.2.10:6443 or [2001:db8::10]:6443"
              + " (port 1-65535)");
    }
    return new ApiServer(address, Integer.parseInt(port));
  }

  public boolean isIpv4() {
    return address.isIpv4();
  }

  /** The address alone, as nft writes it. */
  public String host() {
    String s = address.toString();
    return s.substring(0, s.indexOf('/'));
  }
}
