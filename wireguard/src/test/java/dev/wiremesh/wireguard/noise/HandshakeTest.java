package dev.wiremesh.wireguard.noise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.session.Keypair;
import dev.wiremesh.wireguard.timers.ManualClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeTest {
  final SecureRandom random = new SecureRandom();
  final ManualClock clock = new ManualClock();
  final LocalIdentity alice = LocalIdentity.of(NoisePrivateKey.generate(random));
  final LocalIdentity bob = LocalIdentity.of(NoisePrivateKey.generate(random));

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void fullHandshakeAndTransportBothWays(boolean withPsk) {
    Handshake aliceToBob = new Handshake(bob.publicKey(), alice);
    Handshake bobToAlice = new Handshake(alice.publicKey(), bob);
    if (withPsk) {
      PresharedKey psk = PresharedKey.generate(random);
      aliceToBob.setPresharedKey(psk);
      bobToAlice.setPresharedKey(psk);
    }
    byte[] init = aliceToBob.createMessageInitiation(alice, 11, clock).orElseThrow();
    assertThat(init).hasSize(148);
    Handshake consumed =
        Handshake.consumeMessageInitiation(
                bob, init, k -> k.equals(alice.publicKey()) ? bobToAlice : null, clock)
            .orElseThrow();
    assertThat(consumed).isSameAs(bobToAlice);
    assertThat(bobToAlice.chainKeyForTest()).isEqualTo(aliceToBob.chainKeyForTest());
    assertThat(bobToAlice.hashForTest()).isEqualTo(aliceToBob.hashForTest());

    byte[] resp = bobToAlice.createMessageResponse(22).orElseThrow();
    assertThat(resp).hasSize(92);
    Handshake back =
        Handshake.consumeMessageResponse(alice, resp, i -> i == 11 ? aliceToBob : null)
            .orElseThrow();
    assertThat(back).isSameAs(aliceToBob);
    assertThat(aliceToBob.chainKeyForTest()).isEqualTo(bobToAlice.chainKeyForTest());
    assertThat(aliceToBob.hashForTest()).isEqualTo(bobToAlice.hashForTest());

    Keypair a = aliceToBob.beginSymmetricSession(clock).orElseThrow();
    Keypair b = bobToAlice.beginSymmetricSession(clock).orElseThrow();
    assertThat(a.isInitiator()).isTrue();
    assertThat(b.isInitiator()).isFalse();
    assertThat(a.remoteIndex()).isEqualTo(22);
    assertThat(b.remoteIndex()).isEqualTo(11);
    assertThat(aliceToBob.state()).isEqualTo(Handshake.State.ZEROED);

    byte[] msg = "hello, bob".getBytes();
    byte[] buf = new byte[msg.length + 16];
    long ctr = a.nextSendCounter();
    int n = a.seal(ctr, msg, 0, msg.length, buf, 0);
    byte[] out = new byte[n];
    assertThat(b.open(ctr, buf, 0, n, out, 0)).isEqualTo(msg.length);
    assertThat(java.util.Arrays.copyOf(out, msg.length)).isEqualTo(msg);
    ctr = b.nextSendCounter();
    n = b.seal(ctr, msg, 0, msg.length, buf, 0);
    assertThat(a.open(ctr, buf, 0, n, out, 0)).isEqualTo(msg.length);
    buf[0] ^= 1;
    assertThat(a.open(ctr, buf, 0, n, out, 0))
        .as("a flipped bit fails authentication")
        .isEqualTo(-1);
  }

  @Test
  void mismatchedPresharedKeysFailTheResponse() {
    Handshake aliceToBob = new Handshake(bob.publicKey(), alice);
    Handshake bobToAlice = new Handshake(alice.publicKey(), bob);
    bobToAlice.setPresharedKey(PresharedKey.generate(random));
    byte[] init = aliceToBob.createMessageInitiation(alice, 1, clock).orElseThrow();
    Handshake.consumeMessageInitiation(bob, init, k -> bobToAlice, clock).orElseThrow();
    byte[] resp = bobToAlice.createMessageResponse(2).orElseThrow();
    assertThat(Handshake.consumeMessageResponse(alice, resp, i -> aliceToBob)).isEmpty();
  }

  @Test
  void replayedOrOlderInitiationsAreRefused() {
    Handshake aliceToBob = new Handshake(bob.publicKey(), alice);
    Handshake bobToAlice = new Handshake(alice.publicKey(), bob);
    byte[] first = aliceToBob.createMessageInitiation(alice, 1, clock).orElseThrow();
    assertThat(Handshake.consumeMessageInitiation(bob, first, k -> bobToAlice, clock)).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(Handshake.consumeMessageInitiation(bob, first, k -> bobToAlice, clock))
        .as("the same initiation again")
        .isEmpty();
    // An initiator whose wall clock went back (CVE-2021-46873): its timestamp is not newer.
    clock.setWallTime(clock.wallTime().minusSeconds(3600));
    byte[] older = aliceToBob.createMessageInitiation(alice, 2, clock).orElseThrow();
    clock.advance(Duration.ofSeconds(1));
    assertThat(Handshake.consumeMessageInitiation(bob, older, k -> bobToAlice, clock)).isEmpty();
    clock.setWallTime(clock.wallTime().plusSeconds(7200));
    byte[] newer = aliceToBob.createMessageInitiation(alice, 3, clock).orElseThrow();
    assertThat(Handshake.consumeMessageInitiation(bob, newer, k -> bobToAlice, clock)).isPresent();
  }

  @Test
  void initiationsFasterThanEvery20MillisecondsAreRefused() {
    Handshake aliceToBob = new Handshake(bob.publicKey(), alice);
    Handshake bobToAlice = new Handshake(alice.publicKey(), bob);
    assertThat(
            Handshake.consumeMessageInitiation(
                bob,
                aliceToBob.createMessageInitiation(alice, 1, clock).orElseThrow(),
                k -> bobToAlice,
                clock))
        .isPresent();
    clock.setWallTime(clock.wallTime().plusSeconds(1));
    byte[] quick = aliceToBob.createMessageInitiation(alice, 2, clock).orElseThrow();
    clock.advance(Duration.ofMillis(10));
    assertThat(Handshake.consumeMessageInitiation(bob, quick, k -> bobToAlice, clock)).isEmpty();
    clock.advance(Duration.ofMillis(11));
    clock.setWallTime(clock.wallTime().plusSeconds(1));
    byte[] later = aliceToBob.createMessageInitiation(alice, 3, clock).orElseThrow();
    assertThat(Handshake.consumeMessageInitiation(bob, later, k -> bobToAlice, clock)).isPresent();
  }

  @Test
  void lowOrderPeerKeysMakeNoHandshake() {
    // RFC 7748 / the kernel's low-order point list: DH with any of these is all zeros.
    for (String hex :
        new String[] {
          "0000000000000000000000000000000000000000000000000000000000000000",
          "0100000000000000000000000000000000000000000000000000000000000000",
          "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
          "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
          "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        }) {
      Handshake hs = new Handshake(new NoisePublicKey(HexFormat.of().parseHex(hex)), alice);
      assertThat(hs.canHandshake()).as(hex).isFalse();
      assertThat(hs.createMessageInitiation(alice, 1, clock)).as(hex).isEqualTo(Optional.empty());
    }
  }

  @Test
  void unknownInitiatorsAndGarbageAreRefused() {
    Handshake aliceToBob = new Handshake(bob.publicKey(), alice);
    byte[] init = aliceToBob.createMessageInitiation(alice, 1, clock).orElseThrow();
    assertThat(Handshake.consumeMessageInitiation(bob, init, k -> null, clock)).isEmpty();
    for (int i = 0; i < 148; i += 7) {
      byte[] bad = init.clone();
      bad[i] ^= 0x40;
      Handshake fresh = new Handshake(alice.publicKey(), bob);
      if (i >= 8 && i < 116) {
        assertThat(Handshake.consumeMessageInitiation(bob, bad, k -> fresh, clock))
            .as("flip at " + i)
            .isEmpty();
      }
    }
  }
}
