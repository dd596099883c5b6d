package dev.wiremesh.wireguard.net;

import java.net.Inet6Address;

/**
 * IPv6 addresses as RFC 5952 writes them (lowercase, no leading zeros, the longest run of two or
 * more zero groups as {@code ::}), which is what wg and Go print; the JDK's {@code getHostAddress}
 * does not compress.
 */
final class Ipv6Text {
  private Ipv6Text() {}

  static String format(Inet6Address address) {
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not compressed (RFC 5952 §4.2.2)
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    var text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    if (address.getScopedInterface() != null) {
      text.append('%').append(address.getScopedInterface().getName());
    } else if (address.getScopeId() != 0) {
      text.append('%').append(address.getScopeId());
    }
    return text.toString();
  }
}
