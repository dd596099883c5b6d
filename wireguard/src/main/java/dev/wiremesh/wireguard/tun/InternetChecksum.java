package dev.wiremesh.wireguard.tun;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The internet checksum (RFC 1071) that IPv4, TCP and UDP headers carry. */
final class InternetChecksum {
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private InternetChecksum() {}

  /** Adds {@code b[off, off + len)}, as big-endian 16-bit words, to the unfolded {@code sum}. */
  static long add(byte[] b, int off, int len, long sum) {
    int i = off;
    int end = off + len;
    for (; i + 4 <= end; i += 4) {
      sum += (int) INT.get(b, i) & 0xffffffffL;
    }
    for (; i + 2 <= end; i += 2) {
      sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
    if (i < end) {
      sum += (b[i] & 0xff) << 8;
    }
    return sum;
  }

  /** {@code sum} folded to 16 bits (not complemented). */
  static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  /** The checksum field's value for a region whose sum is {@code sum}. */
  static int complement(long sum) {
    return ~fold(sum) & 0xffff;
  }

  /**
   * The sum of the TCP/UDP pseudo header of the IP packet at {@code ip}: source, destination,
   * protocol and the transport length {@code l4Length}.
   */
  static long pseudoHeader(byte[] b, int ip, boolean ipv6, int protocol, int l4Length) {
    long sum = ipv6 ? add(b, ip + 8, 32, 0) : add(b, ip + 12, 8, 0);
    return sum + protocol + l4Length;
  }

  static void put(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 8);
    b[at + 1] = (byte) value;
  }
}
