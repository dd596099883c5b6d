package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.timers.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue of handshake messages waiting for the (expensive) handshake thread, and the
 * device's notion of being "under load": when an eighth of the queue is taken, handshake messages
 * must carry a valid MAC2 (a cookie) and pass the rate limiter; the state lasts one second after
 * the queue drains (wireguard-go: QueueHandshakeSize 1024, UnderLoadAfterTime 1 s).
 *
 * @param <T> the queued item
 */
final class HandshakeQueue<T> {
  static final int QUEUE_HANDSHAKE_SIZE = 1024;
  static final long UNDER_LOAD_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final BlockingQueue<T> queue;
  private final Clock clock;
  private final int loadThreshold;
  private volatile long underLoadUntil;

  HandshakeQueue(Clock clock) {
    this(clock, QUEUE_HANDSHAKE_SIZE);
  }

  HandshakeQueue(Clock clock, int capacity) {
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.loadThreshold = Math.max(1, capacity / 8);
    this.underLoadUntil = clock.nanoTime() - 1;
  }

  /** True while the queue is, or within the last second was, an eighth full. */
  boolean isUnderLoad() {
    long now = clock.nanoTime();
    if (queue.size() >= loadThreshold) {
      underLoadUntil = now + UNDER_LOAD_AFTER_NANOS;
      return true;
    }
    return underLoadUntil - now > 0;
  }

  /** Queues an item; false (dropped) when full. */
  boolean offer(T item) {
    return queue.offer(item);
  }

  /** The next item, waiting at most {@code timeoutMillis}; null on timeout. */
  T poll(long timeoutMillis) throws InterruptedException {
    return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  int size() {
    return queue.size();
  }

  void clear() {
    queue.clear();
  }
}
