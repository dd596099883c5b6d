package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.timers.ProtocolConstants;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two peer sessions back to back, driven by a manual clock: the protocol's decisions, no I/O. */
class PeerSessionTest {
  final SessionWire wire = new SessionWire();
  final SessionWire.Side a = wire.a;
  final SessionWire.Side b = wire.b;

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] payload(byte[] packet) {
    return java.util.Arrays.copyOfRange(packet, 20, packet.length);
  }

  @Test
  void firstPacketStartsAHandshakeThenFlowsBothWays() {
    a.sendPacket(bytes("hello b"));

    assertThat(a.sentOfType(MESSAGE_INITIATION_TYPE)).hasSize(1);
    assertThat(b.sentOfType(MESSAGE_RESPONSE_TYPE)).hasSize(1);
    assertThat(b.delivered).hasSize(1);
    assertThat(payload(b.delivered.get(0))).isEqualTo(bytes("hello b"));
    // The staged packet confirmed the session: no extra keepalive was needed.
    assertThat(a.sentOfType(MESSAGE_TRANSPORT_TYPE)).hasSize(1);
    assertThat(b.session.keypairs().current()).isNotNull();
    assertThat(b.session.keypairs().next()).isNull();
    assertThat(a.session.lastHandshake()).isEqualTo(wire.clock.wallTime());
    assertThat(b.session.lastHandshake()).isEqualTo(wire.clock.wallTime());

    b.sendPacket(bytes("hello a"));
    assertThat(a.delivered).hasSize(1);
    assertThat(payload(a.delivered.get(0))).isEqualTo(bytes("hello a"));
    assertThat(b.sentOfType(MESSAGE_INITIATION_TYPE)).isEmpty();
    assertThat(a.session.rxBytes()).isEqualTo(b.session.txBytes()).isPositive();
    assertThat(a.drops).isEmpty();
    assertThat(b.drops).isEmpty();
  }

  @Test
  void initiatorConfirmsWithAKeepaliveWhenNothingWaits() {
    // An empty encapsulation is a keepalive; without a session it starts a handshake.
    wire.pump(a, a.tunnel.encapsulate(new byte[0]));

    List<byte[]> transport = a.sentOfType(MESSAGE_TRANSPORT_TYPE);
    assertThat(transport).hasSize(1);
    assertThat(transport.get(0)).hasSize(MESSAGE_KEEPALIVE_SIZE);
    assertThat(b.session.keypairs().current()).as("confirmed by the keepalive").isNotNull();
    assertThat(b.session.keypairs().next()).isNull();
    assertThat(b.delivered).as("a keepalive delivers nothing").isEmpty();
  }

  @Test
  void responderKeepsItsSessionAsCandidateUntilTheInitiatorSends() {
    wire.linkUp = false;
    a.sendPacket(bytes("x"));
    wire.linkUp = true;
    byte[] init = a.sentOfType(MESSAGE_INITIATION_TYPE).getFirst();
    List<Output<InetSocketAddress>> out = b.tunnel.decapsulate(init, a.address);
    assertThat(out).singleElement().isInstanceOf(Output.SendDatagram.class);
    assertThat(b.session.keypairs().next()).isNotNull();
    assertThat(b.session.keypairs().current()).isNull();
    assertThat(b.session.lastHandshake()).isNull();
  }

  @Test
  void receiverOfDataSendsAPassiveKeepaliveAfterKeepaliveTimeout() {
    a.sendPacket(bytes("one way"));
    int before = b.sentOfType(MESSAGE_TRANSPORT_TYPE).size();

    wire.clock.advance(Duration.ofNanos(ProtocolConstants.KEEPALIVE_TIMEOUT).plusMillis(1));
    b.tick();

    List<byte[]> after = b.sentOfType(MESSAGE_TRANSPORT_TYPE);
    assertThat(after).hasSize(before + 1);
    assertThat(after.getLast()).hasSize(MESSAGE_KEEPALIVE_SIZE);
  }

  @Test
  void rekeysAfterRekeyAfterTimeWhileTrafficFlows() {
    a.sendPacket(bytes("first"));
    Keypair first = a.session.keypairs().current();

    wire.clock.advance(Duration.ofNanos(ProtocolConstants.REKEY_AFTER_TIME).plusSeconds(1));
    a.sendPacket(bytes("second"));

    assertThat(a.sentOfType(MESSAGE_INITIATION_TYPE)).hasSize(2);
    Keypair second = a.session.keypairs().current();
    assertThat(second).isNotSameAs(first);
    assertThat(a.session.keypairs().previous()).isSameAs(first);
    a.sendPacket(bytes("third"));
    b.sendPacket(bytes("back"));
    assertThat(b.delivered)
        .extracting(PeerSessionTest::payload)
        .containsExactly(bytes("first"), bytes("second"), bytes("third"));
    assertThat(a.delivered).extracting(PeerSessionTest::payload).containsExactly(bytes("back"));
    assertThat(b.session.keypairs().current().localIndex()).isEqualTo(second.remoteIndex());
  }

  @Test
  void retriesEveryRekeyTimeoutThenGivesUpAndDropsStagedPackets() {
    wire.linkUp = false;
    a.sendPacket(bytes("lost"));
    a.sendPacket(bytes("lost too"));
    assertThat(a.session.stagedCount()).isEqualTo(2);

    for (int i = 0; i < 200 && a.drops("handshake gave up") == 0; i++) {
      wire.clock.advance(Duration.ofSeconds(1));
      a.tick();
    }

    // The first initiation plus a retry every REKEY_TIMEOUT (+ jitter) for REKEY_ATTEMPT_TIME.
    assertThat(a.sentOfType(MESSAGE_INITIATION_TYPE))
        .hasSize(ProtocolConstants.MAX_TIMER_HANDSHAKES + 2);
    assertThat(a.retries).isEqualTo(ProtocolConstants.MAX_TIMER_HANDSHAKES + 1);
    assertThat(a.drops("handshake gave up")).isEqualTo(2);
    assertThat(a.session.stagedCount()).isZero();
    assertThat(a.sentOfType(MESSAGE_TRANSPORT_TYPE)).isEmpty();

    // Nothing more is sent until there is something to send.
    int sent = a.sent.size();
    wire.run(Duration.ofMinutes(5), Duration.ofSeconds(1));
    assertThat(a.sent).hasSize(sent);
  }

  @Test
  void zeroesKeyMaterialAfterThreeTimesRejectAfterTime() {
    a.sendPacket(bytes("ping"));
    b.sendPacket(bytes("pong"));
    byte[] oldTransport = a.sentOfType(MESSAGE_TRANSPORT_TYPE).getFirst();
    assertThat(a.indices.size()).isEqualTo(1);

    wire.run(Duration.ofNanos(3 * ProtocolConstants.REJECT_AFTER_TIME), Duration.ofSeconds(5));
    wire.clock.advance(Duration.ofSeconds(5));
    a.tick();
    b.tick();

    assertThat(a.session.keypairs().current()).isNull();
    assertThat(b.session.keypairs().current()).isNull();
    assertThat(a.indices.size()).isZero();
    assertThat(b.indices.size()).isZero();
    b.receive(oldTransport, a.address);
    assertThat(b.drops("unknown receiver index")).isEqualTo(1);
  }

  @Test
  void roamsToTheLatestAuthenticatedSource() {
    a.sendPacket(bytes("ping"));
    InetSocketAddress moved = new InetSocketAddress(SessionWire.ip("198.51.100.7"), 40000);
    b.address = moved;
    b.sendPacket(bytes("from elsewhere"));
    assertThat(a.session.endpoint()).isEqualTo(moved);

    a.sendPacket(bytes("follow"));
    assertThat(b.delivered).extracting(PeerSessionTest::payload).contains(bytes("follow"));

    // An unauthenticated datagram from anywhere else moves nothing.
    byte[] forged = b.sentOfType(MESSAGE_TRANSPORT_TYPE).getLast().clone();
    forged[forged.length - 1] ^= 1;
    InetSocketAddress attacker = new InetSocketAddress(SessionWire.ip("203.0.113.9"), 666);
    a.receive(forged, attacker);
    assertThat(a.session.endpoint()).isEqualTo(moved);
    assertThat(a.drops("authentication failed")).isEqualTo(1);
  }

  @Test
  void endpointCountsAsSeenOnlyFromAnAuthenticatedPacket() {
    assertThat(a.session.endpointSeen()).as("configured, nothing came from it").isEmpty();
    a.sendPacket(bytes("ping"));
    assertThat(a.session.endpointSeen()).as("the response").contains(wire.clock.wallTime());
    assertThat(b.session.endpointSeen()).as("the initiation").contains(wire.clock.wallTime());
    java.time.Instant firstSeen = wire.clock.wallTime();

    wire.clock.advance(Duration.ofSeconds(30));
    byte[] forged = b.sentOfType(MESSAGE_RESPONSE_TYPE).getLast().clone();
    forged[forged.length - 1] ^= 1;
    a.receive(forged, new InetSocketAddress(SessionWire.ip("203.0.113.9"), 666));
    byte[] replayed = b.sentOfType(MESSAGE_RESPONSE_TYPE).getLast();
    a.receive(replayed, new InetSocketAddress(SessionWire.ip("203.0.113.9"), 667));
    byte[] transport = a.sentOfType(MESSAGE_TRANSPORT_TYPE).getLast();
    b.receive(transport, new InetSocketAddress(SessionWire.ip("203.0.113.9"), 668));
    assertThat(a.session.endpoint()).isEqualTo(b.address);
    assertThat(a.session.endpointSeen()).as("nothing authenticated since").contains(firstSeen);
    assertThat(b.session.endpoint()).as("a replayed transport message").isEqualTo(a.address);
    assertThat(b.session.endpointSeen()).contains(firstSeen);

    InetSocketAddress nat = new InetSocketAddress(SessionWire.ip("198.51.100.7"), 40000);
    b.address = nat;
    b.sendPacket(bytes("through a NAT"));
    assertThat(a.session.endpoint()).isEqualTo(nat);
    assertThat(a.session.endpointSeen()).contains(wire.clock.wallTime());

    a.session.setEndpoint(new InetSocketAddress(SessionWire.ip("192.0.2.99"), 51820));
    assertThat(a.session.endpointSeen()).as("configured again").isEmpty();
  }

  @Test
  void dropsAPacketWhoseInnerSourceIsNotAnAllowedIp() {
    a.sendPacket(bytes("legit"));
    byte[] spoofed =
        SessionWire.ipv4(SessionWire.ip("10.9.9.9"), b.tunnelAddress, bytes("spoofed"));
    wire.pump(a, a.tunnel.encapsulate(spoofed));
    assertThat(b.delivered).extracting(PeerSessionTest::payload).containsExactly(bytes("legit"));
    assertThat(b.drops("source not in allowed IPs")).isEqualTo(1);
  }

  @Test
  void dropsAReplayedTransportMessage() {
    a.sendPacket(bytes("once"));
    byte[] datagram = a.sentOfType(MESSAGE_TRANSPORT_TYPE).getFirst();
    b.receive(datagram, a.address);
    b.receive(datagram, a.address);
    assertThat(b.delivered).hasSize(1);
    assertThat(b.drops("replayed")).isEqualTo(2);
  }
}
