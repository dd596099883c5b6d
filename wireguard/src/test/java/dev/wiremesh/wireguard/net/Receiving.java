package dev.wiremesh.wireguard.net;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/** Test helpers: receive one datagram, or wait for a receiver to fail, without sleeping. */
final class Receiving {
  /** A received datagram. */
  record Received(byte[] data, Endpoint from) {}

  private Receiving() {}

  /** Receives one datagram on a background thread, failing the test after 5 s. */
  static Received one(Bind.Receiver receiver) throws Exception {
    return inBackground(receiver, 2048).get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Starts a receive on a background thread with a buffer of {@code size} bytes. */
  static CompletableFuture<Received> inBackground(Bind.Receiver receiver, int size) {
    return start(receiver, size).result();
  }

  /** A receive running on {@code thread}. */
  record Pending(Thread thread, CompletableFuture<Received> result) {
    /** Waits until the thread waits inside the receiver (parked or in a native call). */
    Pending awaitBlocked() {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                var frames = thread.getStackTrace();
                boolean inReceive =
                    Arrays.stream(frames).anyMatch(f -> f.getMethodName().equals("receive"));
                // Parked (in-memory), in a JDK native call, or in LinuxBind's poll downcall.
                boolean waiting =
                    thread.getState() == Thread.State.WAITING
                        || (frames.length > 0 && frames[0].isNativeMethod())
                        || Arrays.stream(frames).anyMatch(f -> f.getMethodName().equals("await"));
                return inReceive && waiting;
              });
      return this;
    }
  }

  /** Starts a receive on a background thread with a buffer of {@code size} bytes. */
  static Pending start(Bind.Receiver receiver, int size) {
    var result = new CompletableFuture<Received>();
    var thread =
        Thread.ofPlatform()
            .name("receiver")
            .daemon()
            .start(
                () -> {
                  try {
                    byte[][] bufs = {new byte[size]};
                    int[] sizes = new int[1];
                    Endpoint[] from = new Endpoint[1];
                    int n = receiver.receive(bufs, sizes, from);
                    if (n != 1) {
                      throw new IOException("expected 1 datagram, got " + n);
                    }
                    result.complete(new Received(Arrays.copyOf(bufs[0], sizes[0]), from[0]));
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    return new Pending(thread, result);
  }

  /** The exception {@code future} fails with, waiting up to 5 s for it. */
  static Throwable failure(CompletableFuture<?> future) {
    await().atMost(Duration.ofSeconds(5)).until(future::isDone);
    return future.exceptionNow();
  }
}
