package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LinuxBind}'s sticky sources over loopback, where all of 127.0.0.0/8 is local: a peer that
 * writes to 127.0.0.2 must get its reply from 127.0.0.2, although routing alone would pick
 * 127.0.0.1.
 */
class LinuxBindTest {
  private static final InetAddress FIRST = InetAddress.ofLiteral("127.0.0.1");
  private static final InetAddress SECOND = InetAddress.ofLiteral("127.0.0.2");

  private final LinuxBind bind = new LinuxBind();

  @AfterEach
  void close() {
    bind.close();
  }

  @Test
  void opensOneReceiverPerFamilyOnTheSamePort() throws Exception {
    var opened = bind.open(0);
    assertThat(opened.receivers()).hasSize(2);
    assertThat(bind.localPort()).isEqualTo(opened.port());
    assertThat(bind.descriptors()).hasSize(2);
  }

  @Test
  void aReplyLeavesFromTheAddressThePeerWroteTo() throws Exception {
    var opened = bind.open(0);
    try (var peer = new DatagramSocket(new InetSocketAddress(FIRST, 0))) {
      peer.setSoTimeout(5000);
      peer.send(
          new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(SECOND, opened.port())));
      var received = Receiving.one(opened.receivers().getFirst());
      assertThat(received.from().address()).isEqualTo(peer.getLocalSocketAddress());
      assertThat(received.from().stickySource()).contains(SECOND);

      bind.send(new byte[] {2}, 0, 1, received.from());
      assertThat(receiveFrom(peer)).isEqualTo(new InetSocketAddress(SECOND, opened.port()));

      // Without the sticky source, routing picks 127.0.0.1: what DatagramChannelBind does.
      bind.send(new byte[] {3}, 0, 1, received.from().withSource(null));
      assertThat(receiveFrom(peer)).isEqualTo(new InetSocketAddress(FIRST, opened.port()));
    }
  }

  @Test
  void aSourceTheHostNoLongerHasIsDroppedForThatSend() throws Exception {
    var opened = bind.open(0);
    try (var peer = new DatagramSocket(new InetSocketAddress(FIRST, 0))) {
      peer.setSoTimeout(5000);
      var stale =
          Endpoint.of((InetSocketAddress) peer.getLocalSocketAddress())
              .withSource(InetAddress.ofLiteral("192.0.2.254"));
      bind.send(new byte[] {4}, 0, 1, stale);
      assertThat(receiveFrom(peer)).isEqualTo(new InetSocketAddress(FIRST, opened.port()));
    }
  }

  @Test
  void ipv6EndpointsCarryTheirSourceToo() throws Exception {
    var opened = bind.open(0);
    var loopback = InetAddress.ofLiteral("::1");
    try (var peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
      peer.setSoTimeout(5000);
      peer.send(
          new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(loopback, opened.port())));
      var received = Receiving.one(opened.receivers().getLast());
      assertThat(received.from().stickySource()).contains(loopback);
      assertThat(received.from().toString()).isEqualTo("[::1]:" + peer.getLocalPort());
      bind.send(new byte[] {2}, 0, 1, received.from());
      assertThat(receiveFrom(peer)).isEqualTo(new InetSocketAddress(loopback, opened.port()));

      var stale = received.from().withSource(InetAddress.ofLiteral("2001:db8::dead"));
      bind.send(new byte[] {3}, 0, 1, stale);
      assertThat(receiveFrom(peer)).isEqualTo(new InetSocketAddress(loopback, opened.port()));
    }
  }

  @Test
  void aSteadyPeerGetsTheSameEndpointInstance() throws Exception {
    var opened = bind.open(0);
    try (var peer = new DatagramSocket(new InetSocketAddress(FIRST, 0))) {
      var to = new InetSocketAddress(SECOND, opened.port());
      peer.send(new DatagramPacket(new byte[] {1}, 1, to));
      peer.send(new DatagramPacket(new byte[] {2}, 1, to));
      var first = Receiving.one(opened.receivers().getFirst());
      var second = Receiving.one(opened.receivers().getFirst());
      assertThat(second.from()).isSameAs(first.from());
      peer.send(new DatagramPacket(new byte[] {3}, 1, new InetSocketAddress(FIRST, opened.port())));
      var third = Receiving.one(opened.receivers().getFirst());
      assertThat(third.from().stickySource()).contains(FIRST);
    }
  }

  /**
   * A flood from one source interleaved with a peer's traffic: neither costs a new endpoint (and
   * its addresses) per datagram.
   */
  @Test
  void aPeerInterleavedWithAnotherSourceKeepsItsEndpointInstance() throws Exception {
    var opened = bind.open(0);
    try (var peer = new DatagramSocket(new InetSocketAddress(FIRST, 0));
        var flooder = new DatagramSocket(new InetSocketAddress(FIRST, 0))) {
      var to = new InetSocketAddress(SECOND, opened.port());
      var fromPeer = new java.util.ArrayList<Endpoint>();
      var fromFlooder = new java.util.ArrayList<Endpoint>();
      for (int i = 0; i < 3; i++) {
        peer.send(new DatagramPacket(new byte[] {1}, 1, to));
        fromPeer.add(Receiving.one(opened.receivers().getFirst()).from());
        flooder.send(new DatagramPacket(new byte[] {2}, 1, to));
        fromFlooder.add(Receiving.one(opened.receivers().getFirst()).from());
      }
      assertThat(fromPeer.get(0).address()).isEqualTo(peer.getLocalSocketAddress());
      assertThat(fromFlooder.get(0).address()).isEqualTo(flooder.getLocalSocketAddress());
      assertThat(fromPeer).allMatch(e -> e == fromPeer.getFirst());
      assertThat(fromFlooder).allMatch(e -> e == fromFlooder.getFirst());
    }
  }

  @Test
  void aBatchReceiveReturnsWhatIsQueuedInOrder() throws Exception {
    var opened = bind.open(0);
    try (var peer = new DatagramSocket(new InetSocketAddress(FIRST, 0))) {
      var to = new InetSocketAddress(FIRST, opened.port());
      for (byte i = 1; i <= 5; i++) {
        peer.send(new DatagramPacket(new byte[] {i, i}, 2, to));
      }
      byte[][] bufs = new byte[bind.batchSize()][64];
      int[] sizes = new int[bufs.length];
      Endpoint[] from = new Endpoint[bufs.length];
      // Loopback delivers synchronously: all five are queued before the first receive.
      assertThat(opened.receivers().getFirst().receive(bufs, sizes, from)).isEqualTo(5);
      for (int i = 0; i < 5; i++) {
        assertThat(bufs[i][0]).isEqualTo((byte) (i + 1));
        assertThat(sizes[i]).isEqualTo(2);
        assertThat(from[i].address()).isEqualTo(peer.getLocalSocketAddress());
      }
    }
  }

  private static SocketAddress receiveFrom(DatagramSocket socket) throws Exception {
    var packet = new DatagramPacket(new byte[16], 16);
    socket.receive(packet);
    return packet.getSocketAddress();
  }
}
