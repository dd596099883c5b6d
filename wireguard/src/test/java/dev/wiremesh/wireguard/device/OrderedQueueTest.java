package dev.wiremesh.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrderedQueueTest {
  static final class Item extends OrderedQueue.Job {
    final int seq;
    int packets; // all of them bulk

    Item(int seq) {
      this(seq, 1);
    }

    Item(int seq, int packets) {
      this.seq = seq;
      this.packets = packets;
    }

    @Override
    int packets() {
      return packets;
    }

    @Override
    void shedBulk() {
      packets = 0;
    }
  }

  @Test
  void deliversInOrderWhenJobsCompleteOutOfOrder() {
    OrderedQueue<Item> q = new OrderedQueue<>(16);
    List<Integer> out = new ArrayList<>();
    Item a = new Item(1);
    Item b = new Item(2);
    Item c = new Item(3);
    q.add(a);
    q.add(b);
    q.add(c);
    c.complete();
    q.drain(i -> out.add(i.seq));
    assertThat(out).isEmpty();
    a.complete();
    q.drain(i -> out.add(i.seq));
    assertThat(out).containsExactly(1);
    b.complete();
    q.drain(i -> out.add(i.seq));
    assertThat(out).containsExactly(1, 2, 3);
    assertThat(q.size()).isZero();
  }

  @Test
  void refusesJobsBeyondCapacity() {
    OrderedQueue<Item> q = new OrderedQueue<>(2);
    assertThat(q.add(new Item(1))).isTrue();
    assertThat(q.add(new Item(2))).isTrue();
    assertThat(q.add(new Item(3))).isFalse();
    assertThat(q.size()).isEqualTo(2);
  }

  /**
   * The capacity bounds packets, not batches: a queue of 1024 batches of 64 packets would hold a
   * second of traffic at a gigabit (the delay every packet behind them waits: bufferbloat).
   */
  @Test
  void capacityCountsPacketsNotBatches() {
    OrderedQueue<Item> q = new OrderedQueue<>(100);
    assertThat(q.add(new Item(1, 64))).isTrue();
    assertThat(q.add(new Item(2, 64))).as("64 + 64 packets > 100").isFalse();
    assertThat(q.add(new Item(3, 36))).isTrue();
    assertThat(q.size()).isEqualTo(100);
    assertThat(q.add(new Item(4, 1))).isFalse();
  }

  @Test
  void anEmptyQueueTakesABatchLargerThanItsCapacity() {
    OrderedQueue<Item> q = new OrderedQueue<>(16);
    Item big = new Item(1, 64);
    assertThat(q.add(big)).isTrue();
    assertThat(q.add(new Item(2, 1))).isFalse();
    big.complete();
    q.drain(i -> {});
    assertThat(q.size()).isZero();
    assertThat(q.add(new Item(3, 16))).isTrue();
  }

  @Test
  void workersRoundRobinKeepPerPeerOrder() {
    int n = 20_000;
    List<Integer> out = Collections.synchronizedList(new ArrayList<>());
    OrderedQueue<Item> q = new OrderedQueue<>(n);
    Random random = new Random(7);
    try (CryptoWorkers workers = new CryptoWorkers("test", 4, n)) {
      for (int i = 0; i < n; i++) {
        Item item = new Item(i);
        int spin = random.nextInt(200);
        assertThat(q.add(item)).isTrue();
        assertThat(
                workers.submit(
                    () -> {
                      // Uneven work so that workers finish out of order.
                      long x = 0;
                      for (int s = 0; s < spin; s++) {
                        x += s;
                      }
                      if (x >= 0) {
                        item.complete();
                      }
                      q.drain(it -> out.add(it.seq));
                    }))
            .isTrue();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> out.size() == n);
    }
    for (int i = 0; i < n; i++) {
      assertThat(out.get(i)).isEqualTo(i);
    }
  }

  /** A batch whose packets have sizes: a full queue keeps its small ones. */
  static final class Sized extends OrderedQueue.Job {
    final List<Integer> sizes;

    Sized(Integer... sizes) {
      this.sizes = new ArrayList<>(List.of(sizes));
    }

    @Override
    int packets() {
      return sizes.size();
    }

    @Override
    void shedBulk() {
      sizes.removeIf(n -> n > OrderedQueue.SMALL_PACKET);
    }
  }

  /**
   * A saturating flow fills the queue and loses its segments there, but a ping (or an ACK) in the
   * same batch still goes, up to twice the capacity: under load a ping is delayed, not lost.
   */
  @Test
  void aFullQueueShedsBulkPacketsAndKeepsSmallOnesUpToTwiceItsCapacity() {
    OrderedQueue<Sized> q = new OrderedQueue<>(4);
    assertThat(q.add(new Sized(1400, 1400, 1400, 1400))).isTrue();
    Sized mixed = new Sized(1400, 84, 1400, 52);
    assertThat(q.add(mixed)).as("the ping and the ACK go in").isTrue();
    assertThat(mixed.sizes).containsExactly(84, 52);
    assertThat(q.size()).isEqualTo(6);
    Sized bulk = new Sized(1400, 1400);
    assertThat(q.add(bulk)).as("nothing small: refused").isFalse();
    assertThat(bulk.packets()).isZero();
    assertThat(q.size()).isEqualTo(6);
    assertThat(q.add(new Sized(84, 84))).isTrue();
    assertThat(q.size()).isEqualTo(8);
    assertThat(q.add(new Sized(84))).as("twice the capacity is the ceiling").isFalse();
    assertThat(q.size()).isEqualTo(8);
  }
}
