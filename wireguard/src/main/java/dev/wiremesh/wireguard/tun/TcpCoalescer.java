package dev.wiremesh.wireguard.tun;

import java.util.Arrays;

/**
 * The other half of a TUN with offloads: consecutive TCP segments of one flow, in sequence, become
 * one super-packet of up to 64 KB behind a {@code virtio_net_hdr} that asks the kernel to treat it
 * as the segments it was made of (what GRO does on a network card's receive path), so the kernel's
 * TCP receives one packet instead of dozens. Anything else is written alone behind an all-zero
 * header.
 *
 * <p>A segment joins the one before it only if it continues it exactly: the same addresses, ports,
 * header lengths, TCP options, acknowledgement and window, the next sequence number, the same IPv4
 * TOS, TTL and DF (or IPv6 first word and hop limit), only ACK (PSH allowed on the last), and no
 * more payload than the first (a shorter one is the last). The first's payload length is the
 * segment size the kernel would cut it back into.
 */
final class TcpCoalescer {
  private static final int ACK = 0x10;
  private static final int PSH = 0x08;
  private static final int MAX_LENGTH = 65535;

  private TcpCoalescer() {}

  /**
   * Writes into {@code out}, from offset 0, a virtio header and the packet {@code from} of {@code
   * bufs} (each packet at {@code offset}), merged with as many following ones as continue it.
   *
   * @return the number of packets taken (at least 1) in the high 32 bits and the bytes written to
   *     {@code out} in the low 32 bits; see {@link #taken} and {@link #length}
   */
  static long coalesce(byte[][] bufs, int[] sizes, int offset, int from, int count, byte[] out) {
    byte[] first = bufs[from];
    int firstLength = sizes[from];
    int headers = tcpHeaders(first, offset, firstLength);
    Arrays.fill(out, 0, TcpSegmenter.HEADER_SIZE, (byte) 0);
    int at = TcpSegmenter.HEADER_SIZE;
    System.arraycopy(first, offset, out, at, firstLength);
    int length = at + firstLength;
    int segment = firstLength - headers;
    if (headers < 0 || segment <= 0 || tcpFlags(first, offset) != ACK) {
      return result(1, length);
    }
    boolean ipv6 = (first[offset] & 0xf0) == 0x60;
    long nextSeq = seq(first, offset) + segment;
    int taken = 1;
    int lastFlags = ACK;
    for (int j = from + 1;
        j < count && lastFlags == ACK && segment == sizes[j - 1] - headers;
        j++) {
      byte[] p = bufs[j];
      int payload = sizes[j] - headers;
      if (payload <= 0
          || payload > segment
          || length - at + payload > MAX_LENGTH
          || length + payload > out.length
          || tcpHeaders(p, offset, sizes[j]) != headers
          || !continues(first, p, offset, headers, ipv6)
          || (seq(p, offset) & 0xffffffffL) != (nextSeq & 0xffffffffL)) {
        break;
      }
      int flags = tcpFlags(p, offset);
      if (flags != ACK && flags != (ACK | PSH)) {
        break;
      }
      System.arraycopy(p, offset + headers, out, length, payload);
      length += payload;
      nextSeq += payload;
      lastFlags = flags;
      taken++;
    }
    if (taken == 1) {
      return result(1, length);
    }
    int ipHeader = ipHeaderLength(out, at);
    int total = length - at;
    if (ipv6) {
      InternetChecksum.put(out, at + 4, total - 40);
    } else {
      InternetChecksum.put(out, at + 2, total);
      InternetChecksum.put(out, at + 10, 0);
      InternetChecksum.put(
          out, at + 10, InternetChecksum.complement(InternetChecksum.add(out, at, ipHeader, 0)));
    }
    int tcp = at + ipHeader;
    out[tcp + 13] = (byte) lastFlags;
    // A partial checksum: the pseudo header's sum, which the kernel completes (NEEDS_CSUM).
    InternetChecksum.put(
        out,
        tcp + 16,
        InternetChecksum.fold(InternetChecksum.pseudoHeader(out, at, ipv6, 6, total - ipHeader)));
    out[0] = TcpSegmenter.F_NEEDS_CSUM;
    out[1] = (byte) (ipv6 ? TcpSegmenter.GSO_TCPV6 : TcpSegmenter.GSO_TCPV4);
    putLe16(out, 2, headers);
    putLe16(out, 4, segment);
    putLe16(out, 6, ipHeader);
    putLe16(out, 8, 16);
    return result(taken, length);
  }

  static int taken(long result) {
    return (int) (result >>> 32);
  }

  static int length(long result) {
    return (int) result;
  }

  private static long result(int taken, int length) {
    return ((long) taken << 32) | length;
  }

  /**
   * The IP and TCP header length of a TCP packet that may be merged: IPv4 without options or
   * fragmentation, or IPv6 with TCP as the next header; -1 otherwise.
   */
  private static int tcpHeaders(byte[] p, int off, int len) {
    if (len < 40) {
      return -1;
    }
    int version = (p[off] & 0xff) >>> 4;
    int ipHeader;
    if (version == 4) {
      boolean fragment = ((p[off + 6] & 0x3f) | p[off + 7]) != 0;
      if ((p[off] & 0xf) != 5 || p[off + 9] != 6 || fragment || u16(p, off + 2) != len) {
        return -1;
      }
      ipHeader = 20;
    } else if (version == 6) {
      if (p[off + 6] != 6 || len < 60 || u16(p, off + 4) != len - 40) {
        return -1;
      }
      ipHeader = 40;
    } else {
      return -1;
    }
    int tcpHeader = ((p[off + ipHeader + 12] & 0xff) >>> 4) * 4;
    return tcpHeader < 20 || ipHeader + tcpHeader > len ? -1 : ipHeader + tcpHeader;
  }

  private static int ipHeaderLength(byte[] p, int off) {
    return (p[off] & 0xf0) == 0x60 ? 40 : 20;
  }

  /** Whether {@code p} is of {@code first}'s flow with the same header fields but sequence. */
  private static boolean continues(byte[] first, byte[] p, int off, int headers, boolean ipv6) {
    int ip = ipv6 ? 40 : 20;
    if (ipv6) {
      // version, traffic class, flow label; next header and hop limit; addresses
      if (!same(first, p, off, 4) || !same(first, p, off + 6, 2 + 32)) {
        return false;
      }
    } else {
      // version/IHL and TOS; DF; TTL and protocol; addresses
      if (!same(first, p, off, 2)
          || (first[off + 6] & 0x40) != (p[off + 6] & 0x40)
          || !same(first, p, off + 8, 2)
          || !same(first, p, off + 12, 8)) {
        return false;
      }
    }
    int tcp = off + ip;
    // ports; acknowledgement; data offset; window; options
    return same(first, p, tcp, 4)
        && same(first, p, tcp + 8, 5)
        && same(first, p, tcp + 14, 2)
        && same(first, p, tcp + 20, headers - ip - 20);
  }

  private static boolean same(byte[] a, byte[] b, int at, int len) {
    return Arrays.equals(a, at, at + len, b, at, at + len);
  }

  private static int tcpFlags(byte[] p, int off) {
    return p[off + ipHeaderLength(p, off) + 13] & 0xff;
  }

  private static long seq(byte[] p, int off) {
    int tcp = off + ipHeaderLength(p, off);
    return ((long) u16(p, tcp + 4) << 16) | u16(p, tcp + 6);
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static void putLe16(byte[] b, int at, int value) {
    b[at] = (byte) value;
    b[at + 1] = (byte) (value >>> 8);
  }
}
