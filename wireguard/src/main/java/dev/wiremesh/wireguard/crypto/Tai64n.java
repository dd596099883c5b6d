package dev.wiremesh.wireguard.crypto;

import java.time.Instant;

/**
 * TAI64N timestamps (12 bytes: big-endian seconds + 2^62 + 10, then big-endian nanoseconds), as an
 * initiation carries them. Nanoseconds are rounded down to a multiple of 2^24 ns, as wireguard-go
 * does, so a timestamp reveals less about the sender's clock.
 */
public final class Tai64n {
  /** The encoded length. */
  public static final int LENGTH = 12;

  private static final long BASE = (1L << 62) + 10;
  private static final int WHITENER_MASK = (1 << 24) - 1;

  private Tai64n() {}

  public static byte[] of(Instant t) {
    long secs = BASE + t.getEpochSecond();
    int nanos = t.getNano() & ~WHITENER_MASK;
    byte[] out = new byte[LENGTH];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (secs >>> (56 - 8 * i));
    }
    for (int i = 0; i < 4; i++) {
      out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
    }
    return out;
  }

  /**
   * True when {@code a} is strictly later than {@code b} (both 12-byte TAI64N, compared as such).
   */
  public static boolean after(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b) > 0;
  }
}
