package dev.wiremesh.wireguard.device;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fixed pool of threads that seal and open transport packets. Each job (a packet or a batch)
 * goes to exactly one worker, chosen round-robin, as in the Linux driver and FreeBSD's 2022 fix: no
 * broadcast of work to every core, no thread per peer. Ordering is not this class's business: the
 * per-peer {@link OrderedQueue} puts results back in order after the workers.
 *
 * <p>A full worker queue refuses the job ({@link #submit} returns false) rather than blocking the
 * reader that feeds it; the caller drops the packet, as a congested link would.
 */
final class CryptoWorkers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CryptoWorkers.class.getName());
  private static final Runnable STOP = () -> {};

  private final Thread[] threads;
  private final BlockingQueue<Runnable>[] queues;
  private final AtomicInteger next = new AtomicInteger();

  @SuppressWarnings("unchecked")
  CryptoWorkers(String name, int workers, int queueCapacity) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    threads = new Thread[workers];
    queues = new BlockingQueue[workers];
    for (int i = 0; i < workers; i++) {
      BlockingQueue<Runnable> q = new ArrayBlockingQueue<>(queueCapacity);
      queues[i] = q;
      threads[i] = Thread.ofPlatform().name(name + "-crypto-" + i).daemon().unstarted(() -> run(q));
      threads[i].start();
    }
  }

  /** The default size: one worker per core, as the kernel runs one per CPU. */
  static int defaultWorkers() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Hands {@code job} to the next worker in turn; false when that worker's queue is full. */
  boolean submit(Runnable job) {
    int i = Math.floorMod(next.getAndIncrement(), queues.length);
    return queues[i].offer(job);
  }

  private static void run(BlockingQueue<Runnable> q) {
    while (true) {
      Runnable job;
      try {
        job = q.take();
      } catch (InterruptedException e) {
        return;
      }
      if (job == STOP) {
        return;
      }
      try {
        job.run();
      } catch (RuntimeException e) {
        // A job must never kill its worker: log and go on with the next packet.
        LOG.log(Level.WARNING, "crypto job failed", e);
      }
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < threads.length; i++) {
      queues[i].clear();
      queues[i].offer(STOP);
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
