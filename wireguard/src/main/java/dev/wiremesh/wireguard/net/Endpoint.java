package dev.wiremesh.wireguard.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a peer is: an IP address and UDP port, plus optionally the local address the peer last
 * wrote to (the "sticky source" a reply should leave from on a host with several addresses).
 *
 * <p>Record equality includes the source; whether a peer moved (roaming) is a question about {@link
 * #address()} alone. {@link #toString()} prints the remote address only, in wg's format ({@code
 * 192.0.2.1:51820}, {@code [2001:db8::1]:51820}, IPv6 compressed as RFC 5952 writes it), the one
 * {@code wg show} prints. An IPv4-mapped IPv6 address is stored as the IPv4 address it maps, so a
 * dual-stack socket's peers compare equal to the same peers written as IPv4.
 *
 * @param address the remote address and port; resolved, port 1-65535
 * @param source the local address the peer wrote to, or null if unknown
 */
public record Endpoint(InetSocketAddress address, InetAddress source) {
  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
  private static final String VALID =
      "expected IPv4:port like 192.0.2.1:51820 or [IPv6]:port like [2001:db8::1]:51820, port 1-65535";

  /** Checks the address and normalises an IPv4-mapped IPv6 address to IPv4. */
  public Endpoint {
    Objects.requireNonNull(address, "address");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException(
          "endpoint " + address + " is unresolved: an endpoint is an IP address, not a hostname");
    }
    if (address.getPort() == 0) {
      throw new IllegalArgumentException("endpoint " + address + " has port 0: " + VALID);
    }
    address = normalize(address);
  }

  /** An endpoint without a sticky source. */
  public static Endpoint of(InetSocketAddress address) {
    return new Endpoint(address, null);
  }

  /** An endpoint without a sticky source. */
  public static Endpoint of(InetAddress ip, int port) {
    return new Endpoint(new InetSocketAddress(ip, port), null);
  }

  /**
   * Parses wg's format: {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820} (a zone such as
   * {@code [fe80::1%eth0]:51820} is allowed). Never resolves a name: hostnames, IPv6 without
   * brackets, IPv4 shorthands ({@code 1.2.3}) and leading zeros are refused.
   *
   * @throws IllegalArgumentException naming the value and what is valid
   */
  public static Endpoint parse(String text) {
    Objects.requireNonNull(text, "text");
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw invalid(text, "an IPv6 address in brackets must be followed by :port");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!host.contains(":")) {
        throw invalid(text, "\"" + host + "\" is not an IPv6 address");
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw invalid(text, "the port is missing");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (host.contains(":")) {
        throw invalid(text, "an IPv6 address needs brackets");
      }
      if (!DOTTED_QUAD.matcher(host).matches()) {
        String hint =
            host.chars().anyMatch(Character::isLetter) ? " (hostnames are not resolved)" : "";
        throw invalid(text, "\"" + host + "\" is not an IPv4 address" + hint);
      }
    }
    if (!PORT.matcher(port).matches()
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65535) {
      throw invalid(text, "\"" + port + "\" is not a port");
    }
    return of(parseAddress(text, host), Integer.parseInt(port));
  }

  private static InetAddress parseAddress(String text, String host) {
    if (!host.contains(":")) {
      return InetAddress.ofLiteral(host); // a checked dotted quad
    }
    int percent = host.indexOf('%');
    String bare = percent < 0 ? host : host.substring(0, percent);
    InetAddress ip;
    try {
      ip = Inet6Address.ofLiteral(bare);
    } catch (IllegalArgumentException e) {
      throw invalid(text, "\"" + bare + "\" is not an IPv6 address");
    }
    if (percent < 0) {
      return ip;
    }
    String zone = host.substring(percent + 1);
    try {
      if (zone.chars().allMatch(Character::isDigit) && !zone.isEmpty()) {
        return Inet6Address.getByAddress(null, ip.getAddress(), Integer.parseInt(zone));
      }
      var nif = zone.isEmpty() ? null : NetworkInterface.getByName(zone);
      if (nif == null) {
        throw invalid(text, "zone \"" + zone + "\" is not an interface of this host");
      }
      return scoped(ip, nif);
    } catch (UnknownHostException | SocketException | NumberFormatException e) {
      throw invalid(text, "zone \"" + zone + "\" is not valid");
    }
  }

  /**
   * The address scoped to {@code nif} by name; by index when the JDK refuses the name because the
   * interface has no IPv6 address yet.
   */
  private static InetAddress scoped(InetAddress ip, NetworkInterface nif)
      throws UnknownHostException {
    try {
      return Inet6Address.getByAddress(null, ip.getAddress(), nif);
    } catch (UnknownHostException e) {
      return Inet6Address.getByAddress(null, ip.getAddress(), nif.getIndex());
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException(
        "endpoint \"" + text + "\" is not valid: " + why + "; " + VALID);
  }

  private static InetSocketAddress normalize(InetSocketAddress address) {
    if (address.getAddress() instanceof Inet6Address v6 && isIpv4Mapped(v6.getAddress())) {
      byte[] b = v6.getAddress();
      try {
        var v4 = InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        return new InetSocketAddress(v4, address.getPort());
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    return address;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  /** The sticky source, if known. */
  public Optional<InetAddress> stickySource() {
    return Optional.ofNullable(source);
  }

  /** This endpoint with the sticky source set to {@code source} (null clears it). */
  public Endpoint withSource(InetAddress source) {
    return new Endpoint(address, source);
  }

  /** The remote IP address. */
  public InetAddress ip() {
    return address.getAddress();
  }

  /** The remote UDP port. */
  public int port() {
    return address.getPort();
  }

  /** Whether the remote address is IPv6. */
  public boolean isIpv6() {
    return address.getAddress() instanceof Inet6Address;
  }

  /** wg's format: {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}. */
  @Override
  public String toString() {
    return switch (address.getAddress()) {
      case Inet4Address v4 -> v4.getHostAddress() + ":" + address.getPort();
      case Inet6Address v6 -> "[" + Ipv6Text.format(v6) + "]:" + address.getPort();
      default -> throw new AssertionError(address);
    };
  }
}
