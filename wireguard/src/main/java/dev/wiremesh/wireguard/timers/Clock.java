package dev.wiremesh.wireguard.timers;

import java.time.Instant;

/**
 * The only source of time for the protocol core, injected so tests advance it by hand and never
 * sleep. Two readings, as the protocol needs both: a monotonic nanosecond counter for every timer
 * and age (never goes back, meaningless across processes), and wall-clock time for the TAI64N
 * timestamp in a handshake initiation and for "latest handshake" as {@code wg show} prints it.
 */
public interface Clock {
  /** Monotonic time in nanoseconds, like {@link System#nanoTime()}. */
  long nanoTime();

  /** Wall-clock time. */
  Instant wallTime();

  /** The system's clocks. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }

  /** The system clock's implementation. */
  enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Instant wallTime() {
      return Instant.now();
    }
  }
}
