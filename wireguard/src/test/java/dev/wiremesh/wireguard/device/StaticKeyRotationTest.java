package dev.wiremesh.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bob rotates his static key while Alice (a mesh peer, re-keyed in place) and Carol (an external
 * peer that keeps the old key) keep their tunnels. Timing is scaled down (REKEY_AFTER_TIME 2.4 s,
 * REKEY_TIMEOUT 100 ms) so that new handshakes happen within the test.
 */
class StaticKeyRotationTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final ProtocolTiming FAST = ProtocolTiming.scaled(0.02);

  final MemoryNetwork network = new MemoryNetwork();
  final MemoryNode alice = new MemoryNode(network, "wg-alice", "192.0.2.1", "10.0.0.1", FAST);
  final MemoryNode bob = new MemoryNode(network, "wg-bob", "192.0.2.2", "10.0.0.2", FAST);
  final MemoryNode carol = new MemoryNode(network, "wg-carol", "192.0.2.3", "10.0.0.3", FAST);
  final NoisePrivateKey bobNext = NoisePrivateKey.generate(new SecureRandom());
  final NoisePublicKey bobOld = bob.publicKey();

  @AfterEach
  void close() {
    alice.close();
    bob.close();
    carol.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code from} gets a peer entry for {@code to} under {@code key}. */
  static void knows(MemoryNode from, MemoryNode to, NoisePublicKey key) {
    from.device.configurePeer(key);
    from.device.configureEndpoint(key, to.endpoint());
    from.device.configureAllowedIp(key, IpPrefix.parse(to.tunnelAddress.getHostAddress() + "/32"));
  }

  static void roundTrip(MemoryNode a, MemoryNode b, String what) throws InterruptedException {
    a.send(b, bytes(what + " a->b"));
    assertThat(b.receive(WAIT)).isEqualTo(bytes(what + " a->b"));
    b.send(a, bytes(what + " b->a"));
    assertThat(a.receive(WAIT)).isEqualTo(bytes(what + " b->a"));
  }

  StaticKeyRotation bobKeys() {
    return bob.device.keyRotation();
  }

  @Test
  void anInitiationToTheOldKeyIsAnsweredWhileTheNewOneIsHeld() throws InterruptedException {
    alice.connect(bob);
    bobKeys().addSecondKey(bobNext);

    roundTrip(alice, bob, "old key");

    assertThat(bobKeys().keyUsedBy(alice.publicKey())).contains(bobOld);
    assertThat(bob.device.configuredPublicKey()).isEqualTo(bobOld);
    assertThat(bobKeys().secondPublicKey()).contains(bobNext.publicKey());
  }

  @Test
  void anInitiationToTheNewKeyIsAnsweredUnderTheNewKey() throws InterruptedException {
    knows(alice, bob, bobNext.publicKey());
    knows(bob, alice, alice.publicKey());
    bobKeys().addSecondKey(bobNext);

    alice.send(bob, bytes("to the new key"));
    assertThat(bob.receive(WAIT)).isEqualTo(bytes("to the new key"));
    bob.send(alice, bytes("back"));
    assertThat(alice.receive(WAIT)).isEqualTo(bytes("back"));

    assertThat(bobKeys().keyUsedBy(alice.publicKey())).contains(bobNext.publicKey());
  }

  @Test
  void anInitiationToNeitherKeyIsDroppedForItsMac1() throws InterruptedException {
    NoisePublicKey stranger = NoisePrivateKey.generate(new SecureRandom()).publicKey();
    knows(alice, bob, stranger);
    knows(bob, alice, alice.publicKey());
    bobKeys().addSecondKey(bobNext);

    alice.send(bob, bytes("to nobody"));

    await().atMost(WAIT).until(() -> bob.device.drops().get("bad mac1") > 0);
    assertThat(bob.receive(Duration.ofMillis(200))).isNull();
    assertThat(bobKeys().keyUsedBy(alice.publicKey())).isEmpty();
  }

  @Test
  void aSessionEstablishedBeforeAnInPlaceRekeyCarriesTrafficAfterIt() throws InterruptedException {
    alice.connect(bob);
    roundTrip(alice, bob, "before");
    long handshakes = alice.device.handshakesCompleted();
    bobKeys().addSecondKey(bobNext);

    alice.device.keyRotation().rekeyPeer(bobOld, bobNext.publicKey());

    assertThat(alice.device.hasPeer(bobOld)).isFalse();
    assertThat(alice.device.hasPeer(bobNext.publicKey())).isTrue();
    roundTrip(alice, bob, "after");
    // The same session: no handshake was needed for those packets.
    assertThat(alice.device.handshakesCompleted()).isEqualTo(handshakes);
    var peer = alice.device.snapshot().peers().getFirst();
    assertThat(peer.publicKey()).isEqualTo(bobNext.publicKey());
    assertThat(peer.allowedIps()).containsExactly(IpPrefix.parse("10.0.0.2/32"));
    assertThat(peer.endpoint().address()).isEqualTo(bob.endpoint().address());
    assertThat(peer.rxBytes()).isPositive();
  }

  @Test
  void aRekeyIsRefusedOntoAnExistingPeerOrOwnKey() {
    alice.connect(bob);
    alice.connect(carol);
    var rotation = alice.device.keyRotation();
    assertThatThrownBy(() -> rotation.rekeyPeer(bobOld, carol.publicKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exists already");
    assertThatThrownBy(() -> rotation.rekeyPeer(bobOld, alice.publicKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("own key");
    assertThatThrownBy(() -> rotation.rekeyPeer(bobNext.publicKey(), bobOld))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no peer");
    assertThat(alice.device.hasPeer(bobOld)).isTrue();
  }

  /**
   * The whole rotation: Alice learns the new key in place, Bob promotes it, Carol (external) keeps
   * the old key through the grace period; traffic flows throughout, the next handshakes move Alice
   * to the new key, and once the old key is dropped only the new one is answered.
   */
  @Test
  void aFullRotationKeepsEveryTunnelAndEndsOnTheNewKey() throws InterruptedException {
    alice.connect(bob);
    carol.connect(bob);
    roundTrip(alice, bob, "start");
    roundTrip(carol, bob, "start");

    bobKeys().addSecondKey(bobNext);
    alice.device.keyRotation().rekeyPeer(bobOld, bobNext.publicKey());
    roundTrip(alice, bob, "distributing");
    bobKeys().promoteSecondKey();
    assertThat(bob.device.configuredPublicKey()).isEqualTo(bobNext.publicKey());

    // New handshakes (REKEY_AFTER_TIME is 2.4 s here) move Alice to the new key; Carol, who
    // still knows the old one, keeps handshaking with it. Traffic never stops meanwhile.
    int[] n = {0};
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              roundTrip(alice, bob, "moving " + n[0]);
              roundTrip(carol, bob, "moving " + n[0]++);
              assertThat(bobKeys().keyUsedBy(alice.publicKey())).contains(bobNext.publicKey());
              assertThat(bobKeys().keyUsedBy(carol.publicKey())).contains(bobOld);
            });

    bobKeys().dropSecondKey();
    assertThat(bobKeys().secondPublicKey()).isEmpty();
    roundTrip(alice, bob, "after the drop");

    // A peer that only knows the old key no longer gets an answer.
    MemoryNode dave = new MemoryNode(network, "wg-dave", "192.0.2.4", "10.0.0.4", FAST);
    try {
      knows(dave, bob, bobOld);
      knows(bob, dave, dave.publicKey());
      long badMac1 = bob.device.drops().get("bad mac1");
      dave.send(bob, bytes("to the dropped key"));
      await().atMost(WAIT).until(() -> bob.device.drops().get("bad mac1") > badMac1);
      assertThat(bob.receive(Duration.ofMillis(200))).isNull();
    } finally {
      dave.close();
    }
  }

  /**
   * Bob initiates with his new key to a peer that still knows the old one: it does not answer, and
   * the retry uses the old key.
   */
  @Test
  void anUnansweredInitiationIsRetriedWithTheOtherKey() throws InterruptedException {
    knows(alice, bob, bobOld);
    knows(bob, alice, alice.publicKey());
    bobKeys().addSecondKey(bobNext);
    bobKeys().promoteSecondKey();

    bob.send(alice, bytes("from the new key"));

    assertThat(alice.receive(WAIT)).isEqualTo(bytes("from the new key"));
    assertThat(alice.device.drops().get("initiation refused")).isPositive();
    assertThat(bobKeys().keyUsedBy(alice.publicKey())).isEqualTo(Optional.of(bobOld));
  }
}
