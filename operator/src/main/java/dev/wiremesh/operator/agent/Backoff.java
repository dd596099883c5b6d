package dev.wiremesh.operator.agent;

import java.time.Duration;

/**
 * Exponential backoff between attempts at one agent.
 *
 * @param first the wait after the first failure
 * @param max the longest wait
 * @param attempts how many attempts in all (at least 1)
 */
public record Backoff(Duration first, Duration max, int attempts) {

  public static final Backoff DEFAULT =
      new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), 4);

  /** The wait after failed attempt number {@code attempt} (1-based). */
  public Duration delayAfter(int attempt) {
    Duration d = first.multipliedBy(1L << Math.min(attempt - 1, 20));
    return d.compareTo(max) > 0 ? max : d;
  }

  /** How the pusher waits; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(d);

    void sleep(Duration d) throws InterruptedException;
  }
}
