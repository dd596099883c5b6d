package dev.wiremesh.wireguard.device;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A per-peer queue that hands packets on in the order they entered, however the crypto workers
 * finish them. The producer {@link #add}s a job before it goes to a worker; the worker marks it
 * {@link Job#complete()} and calls {@link #drain}; whichever thread wins the drain flag delivers
 * every completed job at the head, in order. This is the Linux driver's per-peer serial queue,
 * without a thread per peer.
 *
 * @param <J> the job type
 */
final class OrderedQueue<J extends OrderedQueue.Job> {
  /** A unit of work whose completion the queue waits for. */
  abstract static class Job {
    private volatile boolean complete;

    /** Marks the job finished (successfully or not); call {@link OrderedQueue#drain} next. */
    final void complete() {
      complete = true;
    }

    final boolean isComplete() {
      return complete;
    }

    /** The packets this job carries: what it counts against the queue's capacity. */
    int packets() {
      return 1;
    }

    /**
     * Drops the job's bulk packets and keeps its small ones (see {@link OrderedQueue#add}); the
     * job's {@link #packets} count what is left.
     */
    void shedBulk() {}
  }

  private final ConcurrentLinkedQueue<J> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicInteger size = new AtomicInteger();
  private final int capacity;

  OrderedQueue(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Appends a job when its packets fit in {@code capacity} (an empty queue takes any job, so a
   * batch larger than the capacity still goes). When they do not, the job sheds its bulk packets
   * and its small ones (a ping, a TCP ACK, a DNS query: {@link #SMALL_PACKET} bytes at most) go in
   * anyway, up to twice the capacity: a saturating TCP flow fills the queue and must lose segments
   * to slow down, but a ping beside it need not be lost with them. False (nothing queued) when
   * nothing is left or even the small ones do not fit; either way {@link Job#packets} then counts
   * what was kept.
   */
  boolean add(J job) {
    int packets = job.packets();
    int after = size.addAndGet(packets);
    if (after <= capacity || after == packets) {
      queue.add(job);
      return true;
    }
    size.addAndGet(-packets);
    job.shedBulk();
    int small = job.packets();
    if (small == 0) {
      return false;
    }
    if (size.addAndGet(small) > 2 * capacity) {
      size.addAndGet(-small);
      return false;
    }
    queue.add(job);
    return true;
  }

  /** The largest IP packet (plaintext) that a full queue still takes. */
  static final int SMALL_PACKET = 256;

  /** Delivers every completed job at the head, in order, unless another thread is doing so. */
  void drain(Consumer<J> deliver) {
    while (draining.compareAndSet(false, true)) {
      try {
        J head;
        while ((head = queue.peek()) != null && head.isComplete()) {
          queue.poll();
          size.addAndGet(-head.packets());
          deliver.accept(head);
        }
      } finally {
        draining.set(false);
      }
      // A job may have completed after we looked and before we released the flag: look again.
      J head = queue.peek();
      if (head == null || !head.isComplete()) {
        return;
      }
    }
  }

  int size() {
    return size.get();
  }
}
