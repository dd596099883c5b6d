package dev.wiremesh.planner.ipam;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Comparator;

/** Canonical text for addresses (RFC 5952 for IPv6) and a stable order for networks. */
public final class Addresses {

  private Addresses() {}

  /** Dotted quad for IPv4; for IPv6 lower-case hextets with the longest zero run as "::". */
  public static String format(InetAddress a) {
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] h = new int[8];
    for (int i = 0; i < 8; i++) {
      h[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (h[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && h[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLen - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(h[i]));
    }
    return s.toString();
  }

  /** {@code a/32} or {@code a/128}. */
  public static String hostNetwork(InetAddress a) {
    return format(a) + "/" + (a instanceof Inet4Address ? 32 : 128);
  }

  /** A network in canonical text: network address (host bits cleared) and prefix. */
  public static String canonicalNetwork(String cidrOrAddress) {
    String s = cidrOrAddress.strip();
    if (s.indexOf('/') < 0) {
      return hostNetwork(Cidr.parseAddress(s));
    }
    InetAddress ip = Cidr.parseAddress(s.substring(0, s.indexOf('/')));
    Cidr c = new Cidr(ip, Integer.parseInt(s.substring(s.indexOf('/') + 1)));
    return format(c.network()) + "/" + c.prefix();
  }

  /** IPv4 before IPv6, then by address, then by prefix. Both sides must be canonical networks. */
  public static final Comparator<String> NETWORK_ORDER =
      Comparator.comparing((String n) -> n.contains(":") ? 1 : 0)
          .thenComparing(n -> Cidr.toNumber(Cidr.parseAddress(n.substring(0, n.indexOf('/')))))
          .thenComparing(n -> Integer.parseInt(n.substring(n.indexOf('/') + 1)));
}
