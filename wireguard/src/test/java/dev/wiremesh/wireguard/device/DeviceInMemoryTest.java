package dev.wiremesh.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.net.MemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two devices in one process, on in-memory TUNs and an in-memory network. */
class DeviceInMemoryTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  final MemoryNetwork network = new MemoryNetwork();
  final MemoryNode alice = new MemoryNode(network, "wg-alice", "192.0.2.1", "10.0.0.1");
  final MemoryNode bob = new MemoryNode(network, "wg-bob", "192.0.2.2", "10.0.0.2");

  @AfterEach
  void close() {
    alice.close();
    bob.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void handshakeThenPacketsBothWaysInOrder() throws InterruptedException {
    alice.connect(bob);

    alice.send(bob, bytes("hello bob"));
    assertThat(bob.receive(WAIT)).isEqualTo(bytes("hello bob"));
    bob.send(alice, bytes("hello alice"));
    assertThat(alice.receive(WAIT)).isEqualTo(bytes("hello alice"));

    // Many packets through the parallel crypto workers still arrive in order. They go in windows
    // of half a peer's ordered queue: a burst past the queue is dropped (as wireguard-go drops it),
    // which is the sender's pacing, not the order under test.
    int window = Peer.QUEUE_ORDERED_SIZE / 2;
    for (int start = 0; start < 4 * window; start += window) {
      for (int i = start; i < start + window; i++) {
        alice.send(bob, bytes("packet " + i));
      }
      for (int i = start; i < start + window; i++) {
        assertThat(bob.receive(WAIT)).isEqualTo(bytes("packet " + i));
      }
    }

    var a = alice.device.snapshot().peers().getFirst();
    var b = bob.device.snapshot().peers().getFirst();
    assertThat(a.lastHandshake()).isNotNull();
    assertThat(b.lastHandshake()).isNotNull();
    assertThat(a.txBytes()).isEqualTo(b.rxBytes()).isPositive();
    assertThat(b.endpoint().address()).isEqualTo(alice.endpoint().address());
  }

  @Test
  void dropsAPacketFromASourceOutsideThePeersAllowedIps() throws InterruptedException {
    alice.connect(bob);
    alice.send(bob, bytes("first"));
    assertThat(bob.receive(WAIT)).isEqualTo(bytes("first"));

    alice.tun.inject(
        MemoryNode.ipv4(MemoryNode.ip("10.9.9.9"), bob.tunnelAddress, bytes("spoofed")));
    alice.send(bob, bytes("second"));
    assertThat(bob.receive(WAIT)).isEqualTo(bytes("second"));
    assertThat(bob.device.drops().get("source not in allowed IPs")).isEqualTo(1);
  }
}
