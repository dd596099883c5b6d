package dev.wiremesh.wireguard.allowedips;

/**
 * Strict text forms of IP addresses, without name lookups: dotted-quad IPv4 (no leading zeros) and
 * RFC 4291 IPv6 (with {@code ::} and an optional dotted-quad tail), printed in the RFC 5952
 * canonical form that wg(8) prints. Returns null for text that is no address.
 */
final class IpText {
  private IpText() {}

  /** The 4 or 16 bytes of {@code text}, or null if it is not an IP address literal. */
  static byte[] parse(String text) {
    if (text.indexOf(':') >= 0) {
      return parseIpv6(text);
    }
    byte[] out = new byte[4];
    return parseIpv4(text, out, 0) ? out : null;
  }

  private static boolean parseIpv4(String s, byte[] out, int offset) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') {
          return false;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return false;
      }
      out[offset + i] = (byte) v;
    }
    return true;
  }

  private static byte[] parseIpv6(String s) {
    byte[] out = new byte[16];
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null; // at most one "::"
    }
    String head = gap >= 0 ? s.substring(0, gap) : s;
    String tail = gap >= 0 ? s.substring(gap + 2) : "";
    byte[] headBytes = groups(head, gap < 0);
    byte[] tailBytes = gap >= 0 ? groups(tail, true) : new byte[0];
    if (headBytes == null || tailBytes == null) {
      return null;
    }
    int total = headBytes.length + tailBytes.length;
    if (gap < 0 ? total != 16 : total > 14) {
      return null; // "::" stands for at least one group of zeros
    }
    System.arraycopy(headBytes, 0, out, 0, headBytes.length);
    System.arraycopy(tailBytes, 0, out, 16 - tailBytes.length, tailBytes.length);
    return out;
  }

  /** Colon-separated hex groups, the last of which may be a dotted quad if {@code allowQuad}. */
  private static byte[] groups(String s, boolean allowQuad) {
    if (s.isEmpty()) {
      return new byte[0];
    }
    String[] parts = s.split(":", -1);
    byte[] out = new byte[parts.length * 2 + 2];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && allowQuad && p.indexOf('.') >= 0) {
        if (n + 4 > 16 || !parseIpv4(p, out, n)) {
          return null;
        }
        n += 4;
        break;
      }
      if (p.isEmpty() || p.length() > 4 || n + 2 > 16) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[n++] = (byte) (v >>> 8);
      out[n++] = (byte) v;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The canonical text of a 4- or 16-byte address (RFC 5952 for IPv6). */
  static String format(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    // the longest run of two or more zero groups (the first of equal runs) becomes "::"
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
