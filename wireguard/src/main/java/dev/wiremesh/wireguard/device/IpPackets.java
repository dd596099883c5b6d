package dev.wiremesh.wireguard.device;

/** Just enough of IPv4 and IPv6 headers to find a decrypted packet's real length. */
final class IpPackets {
  private IpPackets() {}

  /**
   * The length the IP header at {@code buf[off]} declares, if it is an IPv4 or IPv6 header that
   * fits in {@code available} bytes (the rest is the sender's padding); else -1.
   */
  static int innerLength(byte[] buf, int off, int available) {
    if (available < 1) {
      return -1;
    }
    int version = (buf[off] & 0xff) >>> 4;
    int len;
    if (version == 4) {
      if (available < 20) {
        return -1;
      }
      len = (buf[off + 2] & 0xff) << 8 | (buf[off + 3] & 0xff);
      if (len < 20) {
        return -1;
      }
    } else if (version == 6) {
      if (available < 40) {
        return -1;
      }
      len = 40 + ((buf[off + 4] & 0xff) << 8 | (buf[off + 5] & 0xff));
    } else {
      return -1;
    }
    return len <= available ? len : -1;
  }
}
