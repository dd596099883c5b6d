package dev.wiremesh.wireguard.message;

/**
 * The four message formats of the whitepaper (§5.4), as offsets into a datagram. Integers are
 * little-endian; the type is the first 32-bit word, so non-zero "reserved" bytes make the type
 * unknown and the datagram is dropped, as in wireguard-go.
 */
public final class Messages {
  private Messages() {}

  public static final int MESSAGE_INITIATION_TYPE = 1;
  public static final int MESSAGE_RESPONSE_TYPE = 2;
  public static final int MESSAGE_COOKIE_REPLY_TYPE = 3;
  public static final int MESSAGE_TRANSPORT_TYPE = 4;

  public static final int MESSAGE_INITIATION_SIZE = 148;
  public static final int MESSAGE_RESPONSE_SIZE = 92;
  public static final int MESSAGE_COOKIE_REPLY_SIZE = 64;
  public static final int MESSAGE_TRANSPORT_HEADER_SIZE = 16;
  public static final int MESSAGE_TRANSPORT_MIN_SIZE = MESSAGE_TRANSPORT_HEADER_SIZE + 16;
  public static final int MESSAGE_KEEPALIVE_SIZE = MESSAGE_TRANSPORT_MIN_SIZE;

  /** Plaintext is padded to a multiple of this (whitepaper §5.4.6). */
  public static final int PADDING_MULTIPLE = 16;

  // Initiation: type(4) sender(4) ephemeral(32) static(32+16) timestamp(12+16) mac1(16) mac2(16)
  public static final int INIT_SENDER = 4;
  public static final int INIT_EPHEMERAL = 8;
  public static final int INIT_STATIC = 40;
  public static final int INIT_TIMESTAMP = 88;
  public static final int INIT_MAC1 = 116;
  public static final int INIT_MAC2 = 132;

  // Response: type(4) sender(4) receiver(4) ephemeral(32) empty(0+16) mac1(16) mac2(16)
  public static final int RESP_SENDER = 4;
  public static final int RESP_RECEIVER = 8;
  public static final int RESP_EPHEMERAL = 12;
  public static final int RESP_EMPTY = 44;
  public static final int RESP_MAC1 = 60;
  public static final int RESP_MAC2 = 76;

  // Cookie reply: type(4) receiver(4) nonce(24) cookie(16+16)
  public static final int COOKIE_RECEIVER = 4;
  public static final int COOKIE_NONCE = 8;
  public static final int COOKIE_COOKIE = 32;

  // Transport: type(4) receiver(4) counter(8) packet(n+16)
  public static final int TRANSPORT_RECEIVER = 4;
  public static final int TRANSPORT_COUNTER = 8;
  public static final int TRANSPORT_DATA = 16;

  /**
   * The message type of {@code buf[0, len)} if the length fits that type, else 0: the one check
   * every datagram passes before anything else looks at it. Never throws.
   */
  public static int type(byte[] buf, int len) {
    if (buf == null || len < 4 || len > buf.length) {
      return 0;
    }
    int type = getInt(buf, 0);
    return switch (type) {
      case MESSAGE_INITIATION_TYPE -> len == MESSAGE_INITIATION_SIZE ? type : 0;
      case MESSAGE_RESPONSE_TYPE -> len == MESSAGE_RESPONSE_SIZE ? type : 0;
      case MESSAGE_COOKIE_REPLY_TYPE -> len == MESSAGE_COOKIE_REPLY_SIZE ? type : 0;
      case MESSAGE_TRANSPORT_TYPE -> len >= MESSAGE_TRANSPORT_MIN_SIZE ? type : 0;
      default -> 0;
    };
  }

  /** The offset of MAC1 in a handshake message of {@code type}, or -1. */
  public static int mac1Offset(int type) {
    return switch (type) {
      case MESSAGE_INITIATION_TYPE -> INIT_MAC1;
      case MESSAGE_RESPONSE_TYPE -> RESP_MAC1;
      default -> -1;
    };
  }

  public static int getInt(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  public static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  public static long getLong(byte[] b, int off) {
    return (getInt(b, off) & 0xffffffffL) | ((long) getInt(b, off + 4)) << 32;
  }

  public static void putLong(byte[] b, int off, long v) {
    putInt(b, off, (int) v);
    putInt(b, off + 4, (int) (v >>> 32));
  }
}
