package dev.wiremesh.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.timers.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HandshakeQueueTest {
  @Test
  void underLoadFromAnEighthFullAndForOneSecondAfter() throws InterruptedException {
    ManualClock clock = new ManualClock();
    HandshakeQueue<Integer> q = new HandshakeQueue<>(clock, 64);
    assertThat(q.isUnderLoad()).isFalse();
    for (int i = 0; i < 7; i++) {
      assertThat(q.offer(i)).isTrue();
    }
    assertThat(q.isUnderLoad()).isFalse();
    q.offer(7);
    assertThat(q.isUnderLoad()).isTrue();
    while (q.size() > 0) {
      q.poll(0);
    }
    clock.advance(Duration.ofMillis(999));
    assertThat(q.isUnderLoad()).as("still under load within 1 s of the last full reading").isTrue();
    clock.advance(Duration.ofMillis(2));
    assertThat(q.isUnderLoad()).isFalse();
  }

  @Test
  void dropsWhenFull() {
    HandshakeQueue<Integer> q = new HandshakeQueue<>(new ManualClock(), 2);
    assertThat(q.offer(1)).isTrue();
    assertThat(q.offer(2)).isTrue();
    assertThat(q.offer(3)).isFalse();
  }
}
