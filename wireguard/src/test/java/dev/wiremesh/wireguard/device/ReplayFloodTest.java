package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.net.MemoryBind;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one-source flood shapes of wireguard/bench/flood.sh, in memory, counted rather than timed:
 * replays of a captured valid initiation of a peer the victim knows, mixed with random datagrams. A
 * replay must be dropped on the receiving thread, before the handshake queue and so before any MAC
 * or Diffie-Hellman; garbage must cost one length and type check; the established tunnel keeps
 * carrying traffic.
 */
class ReplayFloodTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final int FLOOD = 2 * HandshakeQueue.QUEUE_HANDSHAKE_SIZE;

  final MemoryNetwork network = new MemoryNetwork();
  final MemoryNode victim = new MemoryNode(network, "wg-victim", "192.0.2.1", "10.0.0.1");
  final MemoryNode friend = new MemoryNode(network, "wg-friend", "192.0.2.2", "10.0.0.2");
  final MemoryBind attackerBind = network.bind(MemoryNode.ip("198.51.100.66"));
  final List<byte[]> captured = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws IOException {
    victim.close();
    friend.close();
    attackerBind.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What tcpdump on the friend's link would record: the friend's datagrams to the victim. */
  void capture() {
    Endpoint from = friend.endpoint();
    network.dropIf(
        d -> {
          if (d.from().address().equals(from.address())) {
            captured.add(d.data().clone());
          }
          return false;
        });
  }

  byte[] capturedInitiation() {
    return captured.stream()
        .filter(d -> type(d, d.length) == MESSAGE_INITIATION_TYPE)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void replaysOfACapturedInitiationNeverReachTheHandshakeQueueAndGarbageCostsOneCheck()
      throws Exception {
    capture();
    victim.connect(friend);
    friend.send(victim, bytes("before"));
    assertThat(victim.receive(WAIT)).isEqualTo(bytes("before"));
    byte[] init = capturedInitiation();
    await()
        .atMost(WAIT)
        .until(() -> victim.device.knownInitiations.size() == 1); // the handshake thread is done
    long queuedBefore = victim.device.events().get("handshake queued");
    long handshakesBefore = victim.device.handshakesCompleted();

    attackerBind.open(0);
    Random random = new Random(18);
    Endpoint target = victim.endpoint();
    int garbage = 0;
    for (int i = 0; i < FLOOD; i++) {
      attackerBind.send(init, 0, init.length, target);
      byte[] junk = new byte[1 + random.nextInt(1400)];
      random.nextBytes(junk);
      junk[0] = (byte) (5 + random.nextInt(250)); // no message type: garbage, never a message
      attackerBind.send(junk, 0, junk.length, target);
      garbage++;
    }
    int sentGarbage = garbage;
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(victim.device.drops().get("replayed initiation")).isEqualTo(FLOOD);
              assertThat(victim.device.drops().get("malformed or unknown message"))
                  .isEqualTo(sentGarbage);
            });
    assertThat(victim.device.events().get("handshake queued"))
        .as("handshake messages admitted to the handshake thread during the flood")
        .isEqualTo(queuedBefore);
    assertThat(victim.device.drops().get("initiation refused")).as("Diffie-Hellmans").isZero();
    assertThat(victim.device.drops().get("under load: cookie sent")).isZero();

    friend.send(victim, bytes("during"));
    assertThat(victim.receive(WAIT)).isEqualTo(bytes("during"));
    victim.send(friend, bytes("back"));
    assertThat(friend.receive(WAIT)).isEqualTo(bytes("back"));
    assertThat(victim.device.handshakesCompleted())
        .as("the flood forced no new handshake")
        .isEqualTo(handshakesBefore);
  }

  /**
   * A peer (or anyone on the path) that sends captured transport messages again: every one
   * authenticates, and every one is refused by the keypair's replay filter, counted as "replayed";
   * none reaches the TUN.
   */
  @Test
  void replayedTransportMessagesAreAllRejectedAndCounted() throws Exception {
    capture();
    victim.connect(friend);
    for (int i = 0; i < 20; i++) {
      friend.send(victim, bytes("packet " + i));
      assertThat(victim.receive(WAIT)).isEqualTo(bytes("packet " + i));
    }
    List<byte[]> transport =
        captured.stream().filter(d -> type(d, d.length) == MESSAGE_TRANSPORT_TYPE).toList();
    assertThat(transport).hasSizeGreaterThanOrEqualTo(20);
    network.dropIf(d -> false);

    attackerBind.open(0);
    Endpoint target = victim.endpoint();
    int rounds = 5;
    for (int r = 0; r < rounds; r++) {
      for (byte[] m : transport) {
        attackerBind.send(m, 0, m.length, target);
      }
    }
    long expected = (long) rounds * transport.size();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(victim.device.drops().get("replayed")).isEqualTo(expected));
    assertThat(victim.receive(Duration.ofMillis(200)))
        .as("nothing replayed reached the TUN")
        .isNull();
    friend.send(victim, bytes("fresh"));
    assertThat(victim.receive(WAIT)).isEqualTo(bytes("fresh"));
  }
}
