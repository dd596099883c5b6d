package dev.wiremesh.wireguard.tun;

/**
 * Turns what a TUN with offloads ({@code IFF_VNET_HDR}, TSO and checksum offload) hands over into
 * plain IP packets: a TCP super-packet of up to 64 KB is cut into segments of its {@code gso_size}
 * (the kernel's TSO, done here), and a packet whose checksum the kernel left to us is completed.
 * Each segment gets its own IPv4 length, identification and header checksum (or IPv6 payload
 * length), its TCP sequence number, FIN/PSH only on the last and CWR only on the first, and a full
 * TCP checksum.
 *
 * <p>{@link #reset} takes a buffer holding a {@code virtio_net_hdr} (10 bytes) and the packet; then
 * {@link #next} writes one IP packet at a time until {@link #hasNext} is false.
 */
final class TcpSegmenter {
  /** {@code struct virtio_net_hdr}: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset. */
  static final int HEADER_SIZE = 10;

  static final int F_NEEDS_CSUM = 1;
  static final int GSO_NONE = 0;
  static final int GSO_TCPV4 = 1;
  static final int GSO_TCPV6 = 4;
  static final int GSO_ECN = 0x80;

  private static final int FIN = 0x01;
  private static final int PSH = 0x08;
  private static final int CWR = 0x80;

  private byte[] buf;
  private int end;
  private int ip;
  private int l4;
  private int headerEnd;
  private int segmentSize;
  private int segments;
  private int next;
  private boolean ipv6;

  /**
   * Takes {@code buf[0, length)}: a virtio header, then a packet.
   *
   * @return false if the packet cannot be cut (not TCP over IPv4/IPv6, headers that do not fit);
   *     nothing is pending then
   */
  boolean reset(byte[] buf, int length) {
    this.buf = buf;
    this.end = length;
    this.ip = HEADER_SIZE;
    this.next = 0;
    this.segments = 0;
    if (length < HEADER_SIZE) {
      return false;
    }
    int flags = buf[0] & 0xff;
    int gsoType = buf[1] & 0xff & ~GSO_ECN;
    int csumStart = u16le(6);
    int csumOffset = u16le(8);
    if (gsoType == GSO_NONE) {
      if ((flags & F_NEEDS_CSUM) != 0) {
        int start = ip + csumStart;
        int field = start + csumOffset;
        if (field + 2 > end) {
          return false;
        }
        long sum = InternetChecksum.add(buf, start, end - start, 0);
        InternetChecksum.put(buf, field, InternetChecksum.complement(sum));
      }
      segments = 1;
      segmentSize = end - ip;
      headerEnd = ip;
      return true;
    }
    if (gsoType != GSO_TCPV4 && gsoType != GSO_TCPV6) {
      return false;
    }
    ipv6 = gsoType == GSO_TCPV6;
    l4 = ip + csumStart;
    if (l4 + 20 > end) {
      return false;
    }
    headerEnd = l4 + ((buf[l4 + 12] >>> 4) & 0xf) * 4;
    segmentSize = u16le(4);
    if (headerEnd > end || segmentSize == 0) {
      return false;
    }
    segments = Math.max(1, (end - headerEnd + segmentSize - 1) / segmentSize);
    return true;
  }

  boolean hasNext() {
    return next < segments;
  }

  /** The length of the packet {@link #next} writes. */
  int nextLength() {
    if (headerEnd == ip) {
      return end - ip;
    }
    return headerEnd - ip + Math.min(segmentSize, end - headerEnd - next * segmentSize);
  }

  /** Writes the next IP packet at {@code dst[off, ...)}; returns its length. */
  int next(byte[] dst, int off) {
    int k = next++;
    if (headerEnd == ip) { // not segmented: the packet as it is
      System.arraycopy(buf, ip, dst, off, end - ip);
      return end - ip;
    }
    int payloadStart = headerEnd + k * segmentSize;
    int payload = Math.min(segmentSize, end - payloadStart);
    int headers = headerEnd - ip;
    System.arraycopy(buf, ip, dst, off, headers);
    System.arraycopy(buf, payloadStart, dst, off + headers, payload);
    int length = headers + payload;
    int tcp = off + (l4 - ip);
    if (ipv6) {
      InternetChecksum.put(dst, off + 4, length - 40);
    } else {
      int ihl = (dst[off] & 0xf) * 4;
      InternetChecksum.put(dst, off + 2, length);
      InternetChecksum.put(dst, off + 4, (u16(buf, ip + 4) + k) & 0xffff);
      InternetChecksum.put(dst, off + 10, 0);
      InternetChecksum.put(
          dst, off + 10, InternetChecksum.complement(InternetChecksum.add(dst, off, ihl, 0)));
    }
    long seq = (u32(buf, l4 + 4) + (long) k * segmentSize) & 0xffffffffL;
    dst[tcp + 4] = (byte) (seq >>> 24);
    dst[tcp + 5] = (byte) (seq >>> 16);
    dst[tcp + 6] = (byte) (seq >>> 8);
    dst[tcp + 7] = (byte) seq;
    int tcpFlags = buf[l4 + 13] & 0xff;
    if (k != segments - 1) {
      tcpFlags &= ~(FIN | PSH);
    }
    if (k != 0) {
      tcpFlags &= ~CWR;
    }
    dst[tcp + 13] = (byte) tcpFlags;
    int tcpLength = off + length - tcp;
    InternetChecksum.put(dst, tcp + 16, 0);
    long sum = InternetChecksum.pseudoHeader(dst, off, ipv6, 6, tcpLength);
    sum = InternetChecksum.add(dst, tcp, tcpLength, sum);
    InternetChecksum.put(dst, tcp + 16, InternetChecksum.complement(sum));
    return length;
  }

  private int u16le(int at) {
    return (buf[at] & 0xff) | (buf[at + 1] & 0xff) << 8;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at) {
    return ((long) u16(b, at) << 16) | u16(b, at + 2);
  }
}
