package dev.wiremesh.wireguard.tun;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Waiting for a background call in tests, without sleeping. */
final class Async {
  private Async() {}

  /** The exception {@code future} fails with, waiting up to {@code timeout} for it. */
  static Throwable failureWithin(CompletableFuture<?> future, Duration timeout) {
    await().atMost(timeout).until(future::isDone);
    return future.exceptionNow();
  }
}
