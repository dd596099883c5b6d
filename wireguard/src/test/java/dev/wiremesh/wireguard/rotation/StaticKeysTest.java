package dev.wiremesh.wireguard.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.ManualClock;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** MAC1 tells which of the interface's two static keys a handshake initiation addresses. */
class StaticKeysTest {
  final SecureRandom random = new SecureRandom();
  final ManualClock clock = new ManualClock();
  final NoisePrivateKey old = NoisePrivateKey.generate(random);
  final NoisePrivateKey next = NoisePrivateKey.generate(random);
  final LocalIdentity initiator = LocalIdentity.of(NoisePrivateKey.generate(random));
  final StaticKeys both = StaticKeys.of(old, clock).withSecond(next, clock);

  /** An initiation from {@link #initiator} to {@code to}, MACs included, as a peer sends it. */
  byte[] initiationTo(NoisePublicKey to) {
    byte[] msg =
        new Handshake(to, initiator).createMessageInitiation(initiator, 7, clock).orElseThrow();
    new CookieGenerator(to, clock).addMacs(msg);
    return msg;
  }

  @Test
  void anInitiationToTheOldKeyIsAddressedToTheOldKey() {
    var a = both.addressedBy(initiationTo(old.publicKey()), 148);
    assertThat(a.identity().publicKey()).isEqualTo(old.publicKey());
  }

  @Test
  void anInitiationToTheNewKeyIsAddressedToTheNewKey() {
    var a = both.addressedBy(initiationTo(next.publicKey()), 148);
    assertThat(a.identity().publicKey()).isEqualTo(next.publicKey());
  }

  @Test
  void anInitiationToNeitherKeyIsAddressedToNone() {
    NoisePublicKey stranger = NoisePrivateKey.generate(random).publicKey();
    assertThat(both.addressedBy(initiationTo(stranger), 148)).isNull();
  }

  @Test
  void withoutTheSecondKeyItsInitiationsAreNoLongerAccepted() {
    byte[] toNext = initiationTo(next.publicKey());
    StaticKeys promoted = both.promoted();
    assertThat(promoted.primary().publicKey()).isEqualTo(next.publicKey());
    assertThat(promoted.addressedBy(initiationTo(old.publicKey()), 148)).isNotNull();
    StaticKeys dropped = promoted.withoutSecond();
    assertThat(dropped.addressedBy(initiationTo(old.publicKey()), 148)).isNull();
    assertThat(dropped.addressedBy(toNext, 148).identity().publicKey()).isEqualTo(next.publicKey());
  }

  @Test
  void theOtherKeyIsTheOneNotGiven() {
    assertThat(both.other(both.primary())).isEqualTo(both.second());
    assertThat(both.other(both.second())).isEqualTo(both.primary());
    assertThat(both.withoutSecond().other(both.primary())).isNull();
  }

  @Test
  void theSecondKeyMustDifferFromThePrimary() {
    assertThatThrownBy(() -> StaticKeys.of(old, clock).withSecond(old, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must differ");
    assertThatThrownBy(() -> StaticKeys.of(old, clock).promoted())
        .isInstanceOf(IllegalStateException.class);
  }
}
