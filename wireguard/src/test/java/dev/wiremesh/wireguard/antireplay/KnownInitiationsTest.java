package dev.wiremesh.wireguard.antireplay;

import static dev.wiremesh.wireguard.message.Messages.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KnownInitiationsTest {
  final KnownInitiations known = new KnownInitiations();
  final Random random = new Random(4096);

  byte[] initiation() {
    byte[] msg = new byte[MESSAGE_INITIATION_SIZE];
    random.nextBytes(msg);
    putInt(msg, 0, MESSAGE_INITIATION_TYPE);
    return msg;
  }

  @Test
  void anAcceptedInitiationSentAgainIsAReplayWhateverItsOtherBytes() {
    byte[] init = initiation();
    assertThat(known.isReplay(init)).isFalse();
    known.accepted(init);
    assertThat(known.isReplay(init)).isTrue();
    byte[] resent = init.clone();
    putInt(resent, INIT_SENDER, 42); // a new sender index and MAC1 do not make it new
    resent[MESSAGE_INITIATION_SIZE - 1] ^= 1;
    assertThat(known.isReplay(resent)).isTrue();
  }

  @Test
  void aFreshEphemeralKeyIsNeverAReplay() {
    for (int i = 0; i < 100; i++) {
      known.accepted(initiation());
    }
    for (int i = 0; i < 1000; i++) {
      assertThat(known.isReplay(initiation())).isFalse();
    }
  }

  @Test
  void theOldestIsForgottenPastTheCapacity() {
    byte[] first = initiation();
    known.accepted(first);
    byte[] second = initiation();
    known.accepted(second);
    for (int i = 0; i < KnownInitiations.CAPACITY - 1; i++) {
      known.accepted(initiation());
    }
    assertThat(known.size()).isEqualTo(KnownInitiations.CAPACITY);
    assertThat(known.isReplay(first)).isFalse();
    assertThat(known.isReplay(second)).isTrue();
  }
}
