package dev.wiremesh.wireguard.timers;

import java.time.Duration;
import java.time.Instant;

/**
 * A clock that moves only when told to, for tests and simulations. Both readings advance together.
 * Thread-safe.
 */
public final class ManualClock implements Clock {
  private long nanos;
  private Instant wall;

  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualClock(Instant start) {
    this.nanos = 1_000_000_000L; // arbitrary non-zero origin: code must not treat 0 as "never"
    this.wall = start;
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Instant wallTime() {
    return wall;
  }

  /** Moves both readings forward. */
  public synchronized void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("a clock only moves forward, got " + d);
    }
    nanos += d.toNanos();
    wall = wall.plus(d);
  }

  /**
   * Moves only the wall clock, as an administrator setting the date would (tests CVE-2021-46873).
   */
  public synchronized void setWallTime(Instant t) {
    wall = t;
  }
}
