package dev.wiremesh.wireguard.timers;

import static dev.wiremesh.wireguard.timers.KeyFreshness.needsRekeyOnReceive;
import static dev.wiremesh.wireguard.timers.KeyFreshness.needsRekeyOnSend;
import static dev.wiremesh.wireguard.timers.KeyFreshness.usableForReceiving;
import static dev.wiremesh.wireguard.timers.KeyFreshness.usableForSending;
import static dev.wiremesh.wireguard.timers.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static dev.wiremesh.wireguard.timers.ProtocolConstants.REKEY_AFTER_MESSAGES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyFreshnessTest {
  private static final ProtocolTiming STD = ProtocolTiming.standard();
  private static final long S = 1_000_000_000L;
  private static final long CREATED = 77 * S; // any origin: only differences count

  @Test
  void constantsAreTheWhitepapers() {
    assertThat(Long.toUnsignedString(REJECT_AFTER_MESSAGES)).isEqualTo("18446744073709543423");
    assertThat(REKEY_AFTER_MESSAGES).isEqualTo(1152921504606846976L);
    assertThat(ProtocolConstants.MAX_TIMER_HANDSHAKES).isEqualTo(18);
    assertThat(STD.rekeyAfterTimeNanos()).isEqualTo(120 * S);
    assertThat(STD.rejectAfterTimeNanos()).isEqualTo(180 * S);
    assertThat(STD.rekeyAttemptTimeNanos()).isEqualTo(90 * S);
    assertThat(STD.rekeyTimeoutNanos()).isEqualTo(5 * S);
    assertThat(STD.keepaliveTimeoutNanos()).isEqualTo(10 * S);
  }

  @Test
  void theInitiatorRekeysOnSendPastRekeyAfterTime() {
    assertThat(needsRekeyOnSend(STD, CREATED, true, 0, CREATED + 120 * S)).isFalse();
    assertThat(needsRekeyOnSend(STD, CREATED, true, 0, CREATED + 120 * S + 1)).isTrue();
    assertThat(needsRekeyOnSend(STD, CREATED, false, 0, CREATED + 170 * S))
        .as("the responder waits for the initiator")
        .isFalse();
  }

  @Test
  void eitherSideRekeysOnSendPastRekeyAfterMessages() {
    assertThat(needsRekeyOnSend(STD, CREATED, false, REKEY_AFTER_MESSAGES, CREATED)).isFalse();
    assertThat(needsRekeyOnSend(STD, CREATED, false, REKEY_AFTER_MESSAGES + 1, CREATED)).isTrue();
    assertThat(needsRekeyOnSend(STD, CREATED, true, REJECT_AFTER_MESSAGES, CREATED))
        .as("counters compare unsigned")
        .isTrue();
  }

  @Test
  void theInitiatorRekeysOnReceiveBeforeTheKeypairExpires() {
    long limit = (180 - 10 - 5) * S;
    assertThat(needsRekeyOnReceive(STD, CREATED, true, CREATED + limit)).isFalse();
    assertThat(needsRekeyOnReceive(STD, CREATED, true, CREATED + limit + 1)).isTrue();
    assertThat(needsRekeyOnReceive(STD, CREATED, false, CREATED + limit + 1)).isFalse();
  }

  @Test
  void keypairsExpireAfterRejectAfterTimeOrMessages() {
    assertThat(usableForSending(STD, CREATED, 0, CREATED + 180 * S - 1)).isTrue();
    assertThat(usableForSending(STD, CREATED, 0, CREATED + 180 * S)).isFalse();
    assertThat(usableForSending(STD, CREATED, REJECT_AFTER_MESSAGES - 1, CREATED)).isTrue();
    assertThat(usableForSending(STD, CREATED, REJECT_AFTER_MESSAGES, CREATED)).isFalse();
    assertThat(usableForReceiving(STD, CREATED, CREATED + 180 * S)).isTrue();
    assertThat(usableForReceiving(STD, CREATED, CREATED + 180 * S + 1)).isFalse();
  }

  @Test
  void scaledTimingScalesTimesButNotCounts() {
    ProtocolTiming fast = ProtocolTiming.scaled(0.1);
    assertThat(needsRekeyOnSend(fast, CREATED, true, 0, CREATED + 12 * S + 1)).isTrue();
    assertThat(needsRekeyOnSend(fast, CREATED, true, 0, CREATED + 12 * S)).isFalse();
    assertThat(needsRekeyOnSend(fast, CREATED, false, REKEY_AFTER_MESSAGES, CREATED)).isFalse();
    assertThat(fast.jitterNanos(333)).isEqualTo(33_300_000L);
    assertThat(fast.persistentKeepaliveNanos(25)).isEqualTo(2_500_000_000L);
  }

  @Test
  void aScaleMustBePositiveAndFinite() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> ProtocolTiming.scaled(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("scale must be a finite number greater than 0");
    }
  }
}
