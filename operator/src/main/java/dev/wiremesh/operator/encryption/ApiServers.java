package dev.wiremesh.operator.encryption;

import dev.wiremesh.planner.ipam.Addresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Kubernetes API server's addresses that every agent exempts from its drop rules: the address
 * and port the operator itself reaches the API server at (resolved when it is a name), and those
 * the user lists in {@code wiremesh.encryption.api-servers}. In a cluster the operator's address is
 * the {@code kubernetes} Service's cluster IP, which kube-proxy rewrites before the agent's rules
 * see a packet: list the API server's real addresses (its Endpoints) there too
 * (docs/encryption.md).
 */
public final class ApiServers {
  private ApiServers() {}

  /**
   * @param masterUrl the API server URL the operator's client uses
   * @param configured extra {@code ip:port} entries from the operator's settings
   * @return {@code ip:port} ({@code [ip6]:port}) entries, without duplicates, in a stable order
   * @throws IllegalArgumentException naming a configured entry that is not {@code ip:port}
   */
  public static List<String> of(String masterUrl, List<String> configured) {
    Set<String> out = new LinkedHashSet<>();
    if (masterUrl != null && !masterUrl.isBlank()) {
      URI u = URI.create(masterUrl);
      int port = u.getPort() > 0 ? u.getPort() : "http".equals(u.getScheme()) ? 80 : 443;
      String host = u.getHost();
      if (host != null) {
        try {
          for (InetAddress a : InetAddress.getAllByName(host.replaceAll("^\\[|\\]$", ""))) {
            out.add(format(a, port));
          }
        } catch (UnknownHostException e) {
          // Unresolvable now: the configured entries still apply.
        }
      }
    }
    for (String c : configured) {
      String t = c.strip();
      if (!t.matches("^(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]):\\d{1,5}$")) {
        throw new IllegalArgumentException(
            "wiremesh.encryption.api-servers: '"
                + c
                + "' is not an address and port such as 192.0.2.10:6443 or [2001:db8::10]:6443");
      }
      out.add(t);
    }
    return List.copyOf(new ArrayList<>(out));
  }

  static String format(InetAddress a, int port) {
    String h = Addresses.format(a);
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }
}
