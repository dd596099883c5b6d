package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.timers.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayFilterTest {
  private static final long T_LIM = ReplayFilter.WINDOW_SIZE + 1;
  private static final long WS = ReplayFilter.WINDOW_SIZE;

  private final ReplayFilter filter = new ReplayFilter();
  private final List<String> failures = new ArrayList<>();
  private int testNumber;

  /** One row of a table: counter n must be accepted (true) or refused (false). */
  private void t(long n, boolean expected) {
    testNumber++;
    // The receive path's pre-check (before decryption) must agree with the check that follows it.
    boolean may = filter.mayAccept(n, REJECT_AFTER_MESSAGES);
    boolean got = filter.validateCounter(n, REJECT_AFTER_MESSAGES);
    if (got != expected) {
      failures.add(
          "case %d: counter %s expected %s got %s"
              .formatted(testNumber, Long.toUnsignedString(n), expected, got));
    }
    if (may != got) {
      failures.add(
          "case %d: counter %s: mayAccept said %s, validateCounter %s"
              .formatted(testNumber, Long.toUnsignedString(n), may, got));
    }
  }

  private void init() {
    filter.reset();
    testNumber = 0;
  }

  /** The Linux kernel's 34-case table (drivers/net/wireguard/selftest/counter.c). */
  @Test
  void kernelTable() {
    init();
    t(0, true); //  1
    t(1, true); //  2
    t(1, false); //  3
    t(9, true); //  4
    t(8, true); //  5
    t(7, true); //  6
    t(7, false); //  7
    t(T_LIM, true); //  8
    t(T_LIM - 1, true); //  9
    t(T_LIM - 1, false); // 10
    t(T_LIM - 2, true); // 11
    t(2, true); // 12
    t(2, false); // 13
    t(T_LIM + 16, true); // 14
    t(3, false); // 15
    t(T_LIM + 16, false); // 16
    t(T_LIM * 4, true); // 17
    t(T_LIM * 4 - (T_LIM - 1), true); // 18
    t(10, false); // 19
    t(T_LIM * 4 - T_LIM, false); // 20
    t(T_LIM * 4 - (T_LIM + 1), false); // 21
    t(T_LIM * 4 - (T_LIM - 2), true); // 22
    t(T_LIM * 4 + 1 - T_LIM, false); // 23
    t(0, false); // 24
    t(REJECT_AFTER_MESSAGES, false); // 25
    t(REJECT_AFTER_MESSAGES - 1, true); // 26
    t(REJECT_AFTER_MESSAGES, false); // 27
    t(REJECT_AFTER_MESSAGES - 1, false); // 28
    t(REJECT_AFTER_MESSAGES - 2, true); // 29
    t(REJECT_AFTER_MESSAGES + 1, false); // 30
    t(REJECT_AFTER_MESSAGES + 2, false); // 31
    t(REJECT_AFTER_MESSAGES - 2, false); // 32
    t(REJECT_AFTER_MESSAGES - 3, true); // 33
    t(0, false); // 34
    assertThat(testNumber).isEqualTo(34);
    assertThat(failures).isEmpty();
  }

  /** The kernel's bulk cases that follow the table, loops written as counter.c writes them. */
  @Test
  void kernelBulk() {
    init();
    for (long i = 1; i <= WS; ++i) t(i, true);
    t(0, true);
    t(0, false);

    init();
    for (long i = 2; i <= WS + 1; ++i) t(i, true);
    t(1, true);
    t(0, false);

    init();
    for (long i = WS + 1; i-- > 0; ) t(i, true);

    init();
    for (long i = WS + 2; i-- > 1; ) t(i, true);
    t(0, false);

    init();
    for (long i = WS + 1; i-- > 1; ) t(i, true);
    t(WS + 1, true);
    t(0, false);

    init();
    for (long i = WS + 1; i-- > 1; ) t(i, true);
    t(0, true);
    t(WS + 1, true);
    assertThat(failures).isEmpty();
  }

  /** wireguard-go's replay_test.go bulk cases 3 and 4, whose loops differ from the kernel's. */
  @Test
  void wireguardGoBulk() {
    init();
    for (long i = WS + 1; i > 0; i--) t(i, true);

    init();
    for (long i = WS + 2; i > 1; i--) t(i, true);
    t(0, false);
    assertThat(failures).isEmpty();
  }

  @Test
  void counterJustOutsideTheWindowIsRefusedAndTheEdgeAccepted() {
    assertThat(filter.validateCounter(20_000, REJECT_AFTER_MESSAGES)).isTrue();
    assertThat(filter.validateCounter(20_000 - WS - 1, REJECT_AFTER_MESSAGES)).isFalse();
    assertThat(filter.validateCounter(20_000 - WS, REJECT_AFTER_MESSAGES)).isTrue();
    assertThat(filter.validateCounter(20_000 - WS, REJECT_AFTER_MESSAGES)).isFalse();
  }

  @Test
  void aJumpPastTheWholeRingForgetsEverythingBehind() {
    for (long i = 0; i < 100; i++) {
      assertThat(filter.validateCounter(i, REJECT_AFTER_MESSAGES)).isTrue();
    }
    long far = 100 + 10 * ReplayFilter.COUNTER_BITS_TOTAL;
    assertThat(filter.validateCounter(far, REJECT_AFTER_MESSAGES)).isTrue();
    // every counter in the new window is fresh, even those whose ring bits were set long ago
    for (long i = far - WS; i < far; i++) {
      assertThat(filter.validateCounter(i, REJECT_AFTER_MESSAGES)).as("counter %d", i).isTrue();
    }
  }

  @Test
  void aSmallerLimitRefusesCountersAtOrAboveIt() {
    assertThat(filter.mayAccept(10, 10)).isFalse();
    assertThat(filter.validateCounter(10, 10)).isFalse();
    assertThat(filter.validateCounter(9, 10)).isTrue();
  }

  /**
   * The kernel's and wireguard-go's window: 8192 bits in the ring, 8128 counters behind the head.
   */
  @Test
  void theWindowIsTheKernelsAndWireguardGos() {
    assertThat(ReplayFilter.COUNTER_BITS_TOTAL).isEqualTo(8192);
    assertThat(ReplayFilter.WINDOW_SIZE).isEqualTo(8128);
  }

  /**
   * Parallel crypto workers and a reordering network deliver a burst out of order: a packet 8000
   * counters behind the newest (accepted by the kernel and wireguard-go) must be accepted here.
   */
  @Test
  void aPacketReorderedFarBehindTheHeadButInsideTheKernelsWindowIsAccepted() {
    long head = 20_000;
    for (long i = 0; i <= head; i += 2) {
      assertThat(filter.validateCounter(i, REJECT_AFTER_MESSAGES)).isTrue();
    }
    // every odd counter in the window arrives late, the oldest first
    for (long i = head - 8001; i < head; i += 2) {
      assertThat(filter.validateCounter(i, REJECT_AFTER_MESSAGES)).as("counter %d", i).isTrue();
    }
    for (long i = head - 8001; i < head; i++) {
      assertThat(filter.validateCounter(i, REJECT_AFTER_MESSAGES)).as("replay %d", i).isFalse();
    }
  }

  /**
   * Randomized against a naive model (every counter ever accepted in a set, and the greatest): a
   * counter is fresh iff it is under the limit, not in the set, and at most WINDOW_SIZE behind the
   * greatest. Streams of increasing counters shuffled in blocks of up to 3 windows, with replays
   * and jumps mixed in.
   */
  @Test
  void randomizedReorderingAgreesWithANaiveModel() {
    Random random = new Random(6479);
    for (int round = 0; round < 20; round++) {
      filter.reset();
      Set<Long> seen = new HashSet<>();
      long greatest = -1;
      long next = random.nextInt(3) == 0 ? (1L << 62) : 0;
      for (int block = 0; block < 8; block++) {
        int size = 1 + random.nextInt(3 * (int) WS);
        List<Long> counters = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          counters.add(next + i);
        }
        java.util.Collections.shuffle(counters, random);
        for (int i = 0; i < size; i++) {
          if (random.nextInt(10) == 0) {
            counters.add(random.nextInt(counters.size()), counters.get(random.nextInt(size)));
          }
        }
        for (long c : counters) {
          boolean expected = !seen.contains(c) && (greatest < 0 || greatest - c <= WS);
          assertThat(filter.mayAccept(c, REJECT_AFTER_MESSAGES))
              .as("pre-check, round %d counter %d (greatest %d)", round, c, greatest)
              .isEqualTo(expected);
          boolean got = filter.validateCounter(c, REJECT_AFTER_MESSAGES);
          assertThat(got)
              .as("round %d counter %d (greatest %d)", round, c, greatest)
              .isEqualTo(expected);
          if (got) {
            seen.add(c);
            greatest = Math.max(greatest, c);
          }
        }
        next +=
            size + (random.nextBoolean() ? 0 : random.nextInt(4 * ReplayFilter.COUNTER_BITS_TOTAL));
      }
    }
  }
}
