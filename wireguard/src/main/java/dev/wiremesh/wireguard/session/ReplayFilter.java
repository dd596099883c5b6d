package dev.wiremesh.wireguard.session;

/**
 * The receive-side anti-replay window of RFC 6479, one per keypair: a ring of 8192 bits kept as 128
 * longs, of which one long is redundant, so the window covers the greatest counter accepted and the
 * {@value #WINDOW_SIZE} before it. That is the Linux kernel's window ({@code COUNTER_BITS_TOTAL
 * 8192}) and wireguard-go's ({@code ringBlocks 128}): parallel crypto workers and the network
 * reorder packets, and a packet that either of them would accept must not be dropped here as "too
 * old". The ring costs 1 KB per keypair.
 *
 * <p>Check and update are one call, {@link #validateCounter}, made only <em>after</em> the packet
 * decrypted and authenticated: a forged packet must never move the window. Counters are unsigned
 * 64-bit values.
 *
 * <p>Thread-safety: {@link #validateCounter} and {@link #reset} are {@code synchronized}. The
 * device calls them from the peer's ordered receive stage, so the lock is uncontended and costs a
 * few nanoseconds; it is there so that a device that validates on its crypto workers stays correct.
 */
public final class ReplayFilter {
  private static final int BLOCK_BIT_LOG = 6; // a long holds 1 << 6 bits
  private static final int BLOCK_BITS = 1 << BLOCK_BIT_LOG;

  /** Bits in the ring. */
  public static final int COUNTER_BITS_TOTAL = 8192;

  private static final int RING_BLOCKS = COUNTER_BITS_TOTAL / BLOCK_BITS;
  private static final int BLOCK_MASK = RING_BLOCKS - 1;
  private static final int BIT_MASK = BLOCK_BITS - 1;

  /**
   * How far behind the greatest accepted counter a counter may be and still be accepted: the ring
   * less one redundant long, 8128.
   */
  public static final int WINDOW_SIZE = COUNTER_BITS_TOTAL - BLOCK_BITS;

  private final long[] ring = new long[RING_BLOCKS];
  private long greatest; // the greatest counter accepted so far (unsigned); 0 when empty

  /**
   * Accepts {@code counter} if it is below {@code limit}, inside the window and not seen before,
   * and records it as seen. Call it only after the packet carrying {@code counter} authenticated.
   *
   * @param counter the packet's counter, unsigned
   * @param limit counters at or above this (unsigned) are refused, normally {@code
   *     REJECT_AFTER_MESSAGES}
   * @return true if the packet is fresh and must be processed, false if it is a replay, too old, or
   *     over the limit
   */
  public synchronized boolean validateCounter(long counter, long limit) {
    if (Long.compareUnsigned(counter, limit) >= 0) {
      return false;
    }
    long block = counter >>> BLOCK_BIT_LOG;
    if (Long.compareUnsigned(counter, greatest) > 0) {
      // The window slides forward: clear the blocks between the old head and the new one (the
      // whole ring at most), then the counter becomes the head.
      long current = greatest >>> BLOCK_BIT_LOG;
      long advance = Math.min(block - current, RING_BLOCKS); // both below 2^58: no overflow
      for (long i = current + 1; i <= current + advance; i++) {
        ring[(int) (i & BLOCK_MASK)] = 0;
      }
      greatest = counter;
    } else if (Long.compareUnsigned(greatest - counter, WINDOW_SIZE) > 0) {
      return false; // behind the window
    }
    int index = (int) (block & BLOCK_MASK);
    long bit = 1L << (counter & BIT_MASK);
    long old = ring[index];
    ring[index] = old | bit;
    return (old & bit) == 0;
  }

  /**
   * Whether {@link #validateCounter} could still accept {@code counter}: false for a counter seen
   * before, behind the window or over the limit. Changes nothing, so it may run before the packet
   * authenticates, and a false is final (a counter once seen or behind stays so until {@link
   * #reset}, which only a fresh keypair gets): the receive path drops a replay with it before
   * paying for its decryption, as RFC 4303 (3.4.3) has ESP do.
   */
  public synchronized boolean mayAccept(long counter, long limit) {
    if (Long.compareUnsigned(counter, limit) >= 0) {
      return false;
    }
    if (Long.compareUnsigned(counter, greatest) > 0) {
      return true;
    }
    if (Long.compareUnsigned(greatest - counter, WINDOW_SIZE) > 0) {
      return false;
    }
    long bit = 1L << (counter & BIT_MASK);
    return (ring[(int) ((counter >>> BLOCK_BIT_LOG) & BLOCK_MASK)] & bit) == 0;
  }

  /** Empties the window, as for a fresh keypair. */
  public synchronized void reset() {
    greatest = 0;
    java.util.Arrays.fill(ring, 0);
  }
}
