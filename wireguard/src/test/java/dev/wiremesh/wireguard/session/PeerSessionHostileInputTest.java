package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Whatever arrives, {@link PeerSession#decapsulate} returns a drop with a reason and leaves the
 * session working; it never throws.
 */
class PeerSessionHostileInputTest {
  final SessionWire wire = new SessionWire();
  final SessionWire.Side a = wire.a;
  final SessionWire.Side b = wire.b;
  final InetSocketAddress attacker = new InetSocketAddress(SessionWire.ip("203.0.113.66"), 6666);

  /** Decapsulates at b from the attacker and returns the single drop reason. */
  String dropReason(byte[] datagram) {
    List<Output<InetSocketAddress>> out = b.tunnel.decapsulate(datagram, attacker);
    assertThat(out).singleElement().isInstanceOf(Output.Dropped.class);
    return ((Output.Dropped<InetSocketAddress>) out.getFirst()).reason();
  }

  static byte[] message(int type, int size) {
    byte[] m = new byte[size];
    if (size >= 4) {
      putInt(m, 0, type);
    }
    return m;
  }

  static byte[] flip(byte[] m, int at) {
    byte[] c = m.clone();
    c[at] ^= 0x40;
    return c;
  }

  @Test
  void wrongSizesAndUnknownTypesAreDroppedAsMalformed() {
    byte[][] malformed = {
      null,
      new byte[0],
      new byte[3],
      message(MESSAGE_INITIATION_TYPE, MESSAGE_INITIATION_SIZE - 1),
      message(MESSAGE_INITIATION_TYPE, MESSAGE_INITIATION_SIZE + 1),
      message(MESSAGE_RESPONSE_TYPE, MESSAGE_RESPONSE_SIZE - 1),
      message(MESSAGE_COOKIE_REPLY_TYPE, MESSAGE_COOKIE_REPLY_SIZE + 1),
      message(MESSAGE_TRANSPORT_TYPE, MESSAGE_TRANSPORT_MIN_SIZE - 1),
      message(0, 148),
      message(5, 148),
      message(0x0100_0001, MESSAGE_INITIATION_SIZE), // reserved bytes must be zero
    };
    for (byte[] m : malformed) {
      assertThat(dropReason(m)).isEqualTo("malformed or unknown message");
    }
  }

  @Test
  void badMacsStaleIndicesReplaysAndTruncationsAreDropped() {
    wire.linkUp = false;
    a.sendPacket("x".getBytes(StandardCharsets.UTF_8));
    wire.linkUp = true;
    byte[] init = a.sentOfType(MESSAGE_INITIATION_TYPE).getFirst();
    assertThat(dropReason(flip(init, INIT_MAC1))).isEqualTo("bad mac1");
    assertThat(dropReason(flip(init, INIT_STATIC))).isEqualTo("bad mac1");

    wire.pump(b, b.tunnel.decapsulate(init, a.address)); // completes the handshake
    assertThat(b.delivered).hasSize(1);
    assertThat(dropReason(init)).as("replayed initiation").isEqualTo("initiation refused");
    byte[] resp = b.sentOfType(MESSAGE_RESPONSE_TYPE).getFirst();
    List<Output<InetSocketAddress>> again = a.tunnel.decapsulate(resp, b.address);
    assertThat(again).singleElement().isEqualTo(new Output.Dropped<>("response refused"));
    assertThat(a.tunnel.decapsulate(flip(resp, RESP_MAC1), b.address))
        .singleElement()
        .isEqualTo(new Output.Dropped<>("bad mac1"));

    byte[] transport = a.sentOfType(MESSAGE_TRANSPORT_TYPE).getFirst();
    byte[] stale = transport.clone();
    putInt(stale, TRANSPORT_RECEIVER, getInt(stale, TRANSPORT_RECEIVER) + 1);
    assertThat(dropReason(stale)).isEqualTo("unknown receiver index");
    assertThat(dropReason(Arrays.copyOf(transport, transport.length - 1)))
        .isEqualTo("authentication failed");
    assertThat(dropReason(Arrays.copyOf(transport, MESSAGE_TRANSPORT_MIN_SIZE)))
        .isEqualTo("authentication failed");
    assertThat(dropReason(flip(transport, TRANSPORT_COUNTER))).isEqualTo("authentication failed");
    assertThat(dropReason(transport)).isEqualTo("replayed");
    assertThat(dropReason(message(MESSAGE_COOKIE_REPLY_TYPE, MESSAGE_COOKIE_REPLY_SIZE)))
        .isEqualTo("unexpected cookie reply");

    // None of it moved the endpoint or broke the session.
    assertThat(b.session.endpoint()).isEqualTo(a.address);
    a.sendPacket("still fine".getBytes(StandardCharsets.UTF_8));
    assertThat(b.delivered).hasSize(2);
  }

  @Test
  void randomDatagramsNeverThrowAndNeverDeliver() {
    a.sendPacket("establish".getBytes(StandardCharsets.UTF_8));
    int live = b.session.keypairs().current().localIndex();
    SplittableRandom random = new SplittableRandom(42);
    int[] sizes = {
      MESSAGE_INITIATION_SIZE, MESSAGE_RESPONSE_SIZE, MESSAGE_COOKIE_REPLY_SIZE, 32, 33, 100, 1500
    };
    for (int i = 0; i < 5000; i++) {
      byte[] m =
          new byte
              [random.nextBoolean() ? sizes[random.nextInt(sizes.length)] : random.nextInt(200)];
      random.nextBytes(m);
      if (m.length >= 4 && random.nextInt(4) > 0) {
        putInt(m, 0, 1 + random.nextInt(4));
      }
      if (m.length >= 8 && random.nextBoolean()) {
        putInt(m, 4, live); // aim at the live keypair (or handshake fields)
      }
      List<Output<InetSocketAddress>> out = b.tunnel.decapsulate(m, attacker);
      assertThat(out).allMatch(o -> o instanceof Output.Dropped);
    }
    assertThat(b.session.endpoint()).isEqualTo(a.address);
    a.sendPacket("after the storm".getBytes(StandardCharsets.UTF_8));
    assertThat(b.delivered).hasSize(2);
  }
}
