package dev.wiremesh.wireguard.timers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.timers.TimerAction.HandshakeGaveUp;
import dev.wiremesh.wireguard.timers.TimerAction.InitiateHandshake;
import dev.wiremesh.wireguard.timers.TimerAction.SendKeepalive;
import dev.wiremesh.wireguard.timers.TimerAction.SendPersistentKeepalive;
import dev.wiremesh.wireguard.timers.TimerAction.ZeroKeyMaterial;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class PeerTimersTest {
  private final ManualClock clock = new ManualClock();
  private final long start = clock.nanoTime();

  /** A random source whose every jitter is {@code millis}. */
  private static RandomGenerator jitterOf(int millis) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return millis;
      }

      @Override
      public int nextInt(int bound) {
        return millis;
      }
    };
  }

  private PeerTimers timers = new PeerTimers(clock, ProtocolTiming.standard(), jitterOf(0));

  private void advance(Duration d) {
    clock.advance(d);
  }

  /** Moves the clock to {@code at} after the test's start. */
  private List<TimerAction> pollAt(Duration at) {
    long target = start + at.toNanos();
    clock.advance(Duration.ofNanos(target - clock.nanoTime()));
    return timers.poll();
  }

  private long elapsed() {
    return clock.nanoTime() - start;
  }

  @Test
  void anUnansweredInitiationIsRetriedEveryRekeyTimeoutThenGivenUp() {
    timers = new PeerTimers(clock, ProtocolTiming.standard(), jitterOf(100));
    timers.handshakeInitiated(false);
    int retries = 0;
    List<TimerAction> actions;
    while (true) {
      long deadline = timers.nextDeadline().orElseThrow();
      assertThat(deadline - clock.nanoTime()).isEqualTo(Duration.ofMillis(5100).toNanos());
      advance(Duration.ofNanos(deadline - clock.nanoTime() - 1));
      assertThat(timers.poll()).as("one nanosecond early").isEmpty();
      advance(Duration.ofNanos(1));
      actions = timers.poll();
      if (!(actions.getFirst() instanceof InitiateHandshake retry)) {
        break;
      }
      retries++;
      assertThat(retry).isEqualTo(new InitiateHandshake(true, retries + 1));
      assertThat(timers.handshakeInitiationAllowed()).isTrue();
      timers.handshakeInitiated(true); // the driver sent it
    }
    // wireguard-go: 1 initiation + MAX_TIMER_HANDSHAKES + 1 retries, give-up on the next expiry
    assertThat(retries).isEqualTo(ProtocolConstants.MAX_TIMER_HANDSHAKES + 1);
    assertThat(actions).containsExactly(new HandshakeGaveUp(20));
    assertThat(elapsed()).isEqualTo(Duration.ofMillis(20 * 5100).toNanos());
    assertThat(elapsed()).isGreaterThan(ProtocolConstants.REKEY_ATTEMPT_TIME);

    // what is left of the partial exchange is zeroed 3 x REJECT_AFTER_TIME later
    long giveUp = clock.nanoTime();
    assertThat(timers.nextDeadline()).hasValue(giveUp + 3 * ProtocolConstants.REJECT_AFTER_TIME);
    advance(Duration.ofSeconds(540));
    assertThat(timers.poll()).containsExactly(new ZeroKeyMaterial());
    assertThat(timers.nextDeadline()).isEmpty();
  }

  @Test
  void aNewInitiationStartsANewSeriesOfAttempts() {
    timers.handshakeInitiated(false);
    for (int i = 0; i < 10; i++) {
      advance(Duration.ofSeconds(5));
      assertThat(timers.poll()).containsExactly(new InitiateHandshake(true, i + 2));
      timers.handshakeInitiated(true);
    }
    timers.handshakeInitiated(false);
    advance(Duration.ofSeconds(5));
    assertThat(timers.poll()).containsExactly(new InitiateHandshake(true, 2));
  }

  @Test
  void aCompletedHandshakeCancelsTheRetry() {
    timers.handshakeInitiated(false);
    advance(Duration.ofSeconds(3));
    timers.handshakeComplete();
    assertThat(timers.nextDeadline()).isEmpty();
    assertThat(pollAt(Duration.ofSeconds(60))).isEmpty();
  }

  @Test
  void initiationsAreLimitedToOnePerRekeyTimeout() {
    assertThat(timers.handshakeInitiationAllowed()).isTrue();
    timers.handshakeInitiated(false);
    advance(Duration.ofMillis(4999));
    assertThat(timers.handshakeInitiationAllowed()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(timers.handshakeInitiationAllowed()).isTrue();
  }

  @Test
  void retryJitterStaysWithin333Milliseconds() {
    timers = new PeerTimers(clock, ProtocolTiming.standard(), new SplittableRandom(3));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 2000; i++) {
      timers.handshakeInitiated(false);
      long delay = timers.nextDeadline().orElseThrow() - clock.nanoTime();
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }
    assertThat(min).isEqualTo(Duration.ofMillis(5000).toNanos());
    assertThat(max).isEqualTo(Duration.ofMillis(5333).toNanos());
  }

  @Test
  void dataReceivedWithNothingSentIsAnsweredByAKeepalive() {
    timers.dataReceived();
    assertThat(pollAt(Duration.ofMillis(9999))).isEmpty();
    assertThat(pollAt(Duration.ofSeconds(10))).containsExactly(new SendKeepalive());
    assertThat(timers.nextDeadline()).isEmpty();
  }

  @Test
  void sendingAnythingCancelsThePendingKeepalive() {
    timers.dataReceived();
    advance(Duration.ofSeconds(5));
    timers.anyAuthenticatedPacketSent();
    assertThat(pollAt(Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  void dataReceivedWhileAKeepaliveIsPendingAsksForAnotherOne() {
    timers.dataReceived();
    advance(Duration.ofSeconds(2));
    timers.dataReceived(); // does not push the pending keepalive later
    assertThat(pollAt(Duration.ofSeconds(10))).containsExactly(new SendKeepalive());
    assertThat(timers.nextDeadline()).hasValue(start + Duration.ofSeconds(20).toNanos());
    assertThat(pollAt(Duration.ofSeconds(20))).containsExactly(new SendKeepalive());
    assertThat(timers.nextDeadline()).isEmpty();
  }

  @Test
  void dataSentAndNothingReceivedStartsANewHandshake() {
    timers = new PeerTimers(clock, ProtocolTiming.standard(), jitterOf(200));
    timers.dataSent();
    advance(Duration.ofSeconds(10));
    timers.dataSent(); // already pending: not pushed later
    assertThat(pollAt(Duration.ofMillis(15199))).isEmpty();
    assertThat(pollAt(Duration.ofMillis(15200))).containsExactly(new InitiateHandshake(false, 1));
  }

  @Test
  void anythingReceivedCancelsTheNewHandshake() {
    timers.dataSent();
    advance(Duration.ofSeconds(14));
    timers.anyAuthenticatedPacketReceived();
    assertThat(pollAt(Duration.ofSeconds(60))).isEmpty();
  }

  @Test
  void persistentKeepaliveFiresWhenNothingTraversedForTheInterval() {
    assertThat(timers.persistentKeepaliveChanged(25))
        .as("turning it on sends a keepalive at once")
        .containsExactly(new SendKeepalive());
    timers.anyAuthenticatedPacketTraversal(); // that keepalive goes out
    assertThat(pollAt(Duration.ofMillis(24_999))).isEmpty();
    assertThat(pollAt(Duration.ofSeconds(25))).containsExactly(new SendPersistentKeepalive());
    timers.anyAuthenticatedPacketTraversal();
    advance(Duration.ofSeconds(10));
    timers.anyAuthenticatedPacketTraversal(); // traffic pushes it back
    assertThat(pollAt(Duration.ofSeconds(59))).isEmpty();
    assertThat(pollAt(Duration.ofSeconds(60))).containsExactly(new SendPersistentKeepalive());

    assertThat(timers.persistentKeepaliveChanged(30)).as("already on").isEmpty();
    timers.anyAuthenticatedPacketTraversal();
    assertThat(timers.persistentKeepaliveChanged(0)).isEmpty();
    assertThat(timers.nextDeadline()).isEmpty();
    timers.anyAuthenticatedPacketTraversal();
    assertThat(pollAt(Duration.ofSeconds(200))).isEmpty();
    assertThatThrownBy(() -> timers.persistentKeepaliveChanged(65536))
        .hasMessageContaining("0-65535")
        .hasMessageContaining("65536");
  }

  @Test
  void keyMaterialIsZeroedAfterThreeRejectAfterTimesWithoutANewSession() {
    timers.sessionDerived();
    assertThat(pollAt(Duration.ofSeconds(539))).isEmpty();
    timers.sessionDerived(); // a new session at 539 s
    assertThat(pollAt(Duration.ofSeconds(540))).isEmpty();
    assertThat(pollAt(Duration.ofSeconds(539 + 540))).containsExactly(new ZeroKeyMaterial());
  }

  @Test
  void severalExpiriesComeOutEarliestFirst() {
    timers.sessionDerived(); // 540 s
    timers.dataSent(); // 15 s
    timers.dataReceived(); // 10 s
    timers.handshakeInitiated(false); // 5 s
    assertThat(pollAt(Duration.ofHours(1)))
        .containsExactly(
            new InitiateHandshake(true, 2),
            new SendKeepalive(),
            new InitiateHandshake(false, 1),
            new ZeroKeyMaterial());
  }

  @Test
  void stopCancelsEverything() {
    timers.sessionDerived();
    timers.dataSent();
    timers.dataReceived();
    timers.handshakeInitiated(false);
    timers.persistentKeepaliveChanged(1);
    timers.anyAuthenticatedPacketTraversal();
    timers.stop();
    assertThat(timers.nextDeadline()).isEmpty();
    assertThat(pollAt(Duration.ofHours(1))).isEmpty();
  }

  @Test
  void aScaledDeviceRunsTheSameStateMachineFaster() {
    timers = new PeerTimers(clock, ProtocolTiming.scaled(0.01), jitterOf(100));
    timers.dataReceived();
    timers.sessionDerived();
    assertThat(pollAt(Duration.ofMillis(100))).containsExactly(new SendKeepalive());
    timers.handshakeInitiated(false);
    assertThat(timers.nextDeadline()).hasValue(clock.nanoTime() + Duration.ofMillis(51).toNanos());
    timers.handshakeComplete();
    assertThat(pollAt(Duration.ofMillis(5400))).containsExactly(new ZeroKeyMaterial());
  }

  @Test
  void theLastMinuteHandshakeFlagIsClearedByACompletedHandshake() {
    assertThat(timers.sentLastMinuteHandshake()).isFalse();
    timers.markLastMinuteHandshakeSent();
    assertThat(timers.sentLastMinuteHandshake()).isTrue();
    timers.handshakeComplete();
    assertThat(timers.sentLastMinuteHandshake()).isFalse();
  }
}
