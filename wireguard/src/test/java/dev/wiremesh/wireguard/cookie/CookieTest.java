package dev.wiremesh.wireguard.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.message.Messages;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.ManualClock;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** MAC1, MAC2 and cookie replies between an initiator and a responder under load. */
class CookieTest {
  final SecureRandom random = new SecureRandom();
  final ManualClock clock = new ManualClock();
  final LocalIdentity initiator = LocalIdentity.of(NoisePrivateKey.generate(random));
  final LocalIdentity responder = LocalIdentity.of(NoisePrivateKey.generate(random));
  final CookieChecker checker = new CookieChecker(responder.publicKey(), clock);
  final CookieGenerator generator = new CookieGenerator(responder.publicKey(), clock);
  final InetSocketAddress source = new InetSocketAddress("192.0.2.7", 40000);

  byte[] initiation() {
    byte[] msg =
        new Handshake(responder.publicKey(), initiator)
            .createMessageInitiation(initiator, 42, clock)
            .orElseThrow();
    generator.addMacs(msg);
    return msg;
  }

  @Test
  void mac1IsCheckedAndASingleBitFlipAnywhereBeforeItIsRefused() {
    byte[] msg = initiation();
    assertThat(checker.checkMac1(msg, msg.length)).isTrue();
    for (int i = 0; i < Messages.INIT_MAC2; i++) {
      for (int bit = 0; bit < 8; bit += 3) {
        byte[] bad = msg.clone();
        bad[i] ^= (byte) (1 << bit);
        assertThat(checker.checkMac1(bad, bad.length)).as("byte %d bit %d", i, bit).isFalse();
      }
    }
    CookieChecker other =
        new CookieChecker(LocalIdentity.of(NoisePrivateKey.generate(random)).publicKey(), clock);
    assertThat(other.checkMac1(msg, msg.length)).as("MAC1 is for one responder only").isFalse();
  }

  @Test
  void withoutACookieMac2IsZeroAndRefused() {
    byte[] msg = initiation();
    for (int i = Messages.INIT_MAC2; i < msg.length; i++) {
      assertThat(msg[i]).isZero();
    }
    assertThat(checker.checkMac2(msg, msg.length, source)).isFalse();
  }

  @Test
  void aCookieReplyMakesTheNextMessageCarryAValidMac2ForThatSourceOnly() {
    byte[] first = initiation();
    byte[] reply = checker.createReply(first, first.length, source);
    assertThat(reply).hasSize(Messages.MESSAGE_COOKIE_REPLY_SIZE);
    assertThat(Messages.type(reply, reply.length)).isEqualTo(Messages.MESSAGE_COOKIE_REPLY_TYPE);
    assertThat(Messages.getInt(reply, 4)).as("echoes the sender index").isEqualTo(42);
    assertThat(generator.consumeReply(reply)).isTrue();
    assertThat(generator.hasCookie()).isTrue();

    byte[] second = initiation();
    assertThat(checker.checkMac1(second, second.length)).isTrue();
    assertThat(checker.checkMac2(second, second.length, source)).isTrue();
    assertThat(checker.checkMac2(second, second.length, new InetSocketAddress("192.0.2.8", 40000)))
        .as("another address")
        .isFalse();
    assertThat(checker.checkMac2(second, second.length, new InetSocketAddress("192.0.2.7", 40001)))
        .as("another port")
        .isFalse();
    for (int i = 0; i < Messages.INIT_MAC2 + 16; i += 5) {
      byte[] bad = second.clone();
      bad[i] ^= 0x10;
      assertThat(checker.checkMac2(bad, bad.length, source)).as("flip at %d", i).isFalse();
    }
  }

  @Test
  void aReplyToAnotherMessageOrTamperedIsRefused() {
    byte[] first = initiation();
    byte[] reply = checker.createReply(first, first.length, source);
    initiation(); // a newer message: the reply no longer matches the last MAC1 sent
    assertThat(generator.consumeReply(reply)).isFalse();
    byte[] latest = initiation();
    byte[] fresh = checker.createReply(latest, latest.length, source);
    fresh[40] ^= 1;
    assertThat(generator.consumeReply(fresh)).isFalse();
    assertThat(generator.hasCookie()).isFalse();
  }

  @Test
  void theSecretRotatesAfterTwoMinutesAndOldCookiesStopWorking() {
    byte[] first = initiation();
    assertThat(generator.consumeReply(checker.createReply(first, first.length, source))).isTrue();
    byte[] second = initiation();
    clock.advance(Duration.ofSeconds(121));
    assertThat(checker.checkMac2(second, second.length, source)).as("secret expired").isFalse();
    byte[] third = initiation();
    for (int i = Messages.INIT_MAC2; i < third.length; i++) {
      assertThat(third[i]).as("the generator drops a cookie older than 120 s").isZero();
    }
  }
}
