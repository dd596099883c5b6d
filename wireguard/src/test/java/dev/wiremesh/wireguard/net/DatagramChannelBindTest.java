package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link DatagramChannelBind} over the loopback interface (no root needed). */
class DatagramChannelBindTest {
  private final DatagramChannelBind a = new DatagramChannelBind();
  private final DatagramChannelBind b = new DatagramChannelBind();

  @AfterEach
  void close() throws Exception {
    a.close();
    b.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void roundTripsOverLoopbackOnOnePortForBothFamilies(String loopback) throws Exception {
    var openedA = a.open(0);
    var openedB = b.open(0);
    var ip = InetAddress.ofLiteral(loopback);

    a.send(new byte[] {9, 1, 2, 3}, 1, 3, Endpoint.of(ip, openedB.port()));
    var atB = Receiving.one(openedB.receivers().getFirst());
    assertThat(atB.data()).containsExactly(1, 2, 3);
    assertThat(atB.from()).isEqualTo(Endpoint.of(ip, openedA.port()));
    assertThat(atB.from().toString()).endsWith(":" + openedA.port());

    // The reply goes to the endpoint as received, through the batch call.
    byte[][] bufs = {{0, 4}, {0, 5, 6}};
    b.send(bufs, new int[] {1, 2}, 1, 2, atB.from());
    assertThat(Receiving.one(openedA.receivers().getFirst()).data()).containsExactly(4);
    var second = Receiving.one(openedA.receivers().getFirst());
    assertThat(second.data()).containsExactly(5, 6);
    assertThat(second.from()).isEqualTo(Endpoint.of(ip, openedB.port()));
  }

  @Test
  void portZeroGetsAFreePortAndAClosedBindReopensOnIt() throws Exception {
    int port = a.open(0).port();
    assertThat(port).isBetween(1, 65535);
    assertThat(a.localPort()).isEqualTo(port);
    assertThat(b.open(0).port()).isNotEqualTo(port);
    a.close();
    assertThat(a.localPort()).isEqualTo(-1);
    assertThat(a.open(port).port()).isEqualTo(port);
  }

  @Test
  void aPortInUseGivesAClearBindException() throws Exception {
    int port = a.open(0).port();
    assertThatThrownBy(() -> b.open(port))
        .isInstanceOf(BindException.class)
        .hasMessage("cannot listen on UDP port " + port + ": address already in use (EADDRINUSE)");
    // The failed attempt left b closed and usable.
    assertThat(b.localPort()).isEqualTo(-1);
    assertThat(b.open(0).port()).isPositive();
  }

  @Test
  void thePortIsClaimedForIpv4Too() throws Exception {
    try (var ipv4 =
        new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 0))) {
      assertThatThrownBy(() -> a.open(ipv4.getLocalPort())).isInstanceOf(BindException.class);
    }
  }

  @Test
  void closeUnblocksABlockedReceiver() throws Exception {
    var receiver = a.open(0).receivers().getFirst();
    var pending = Receiving.start(receiver, 100).awaitBlocked().result();
    a.close();
    assertThat(Receiving.failure(pending)).isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(
            () -> receiver.receive(new byte[][] {new byte[1]}, new int[1], new Endpoint[1]))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> a.send(new byte[1], 0, 1, Endpoint.parse("127.0.0.1:9")))
        .isInstanceOf(ClosedChannelException.class);
  }

  @Test
  void aDatagramLongerThanTheBufferIsTruncated() throws Exception {
    var openedB = b.open(0);
    a.open(0);
    a.send(
        new byte[] {1, 2, 3, 4, 5},
        0,
        5,
        Endpoint.of(InetAddress.ofLiteral("127.0.0.1"), openedB.port()));
    var received =
        Receiving.inBackground(openedB.receivers().getFirst(), 2)
            .get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(received.data()).containsExactly(1, 2);
  }

  @Test
  void refusesASecondOpenAndABadPort() throws Exception {
    int port = a.open(0).port();
    assertThatThrownBy(() -> a.open(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bind is already open on port " + port);
    assertThatThrownBy(() -> b.open(65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("listen_port 65536 is not valid: 0-65535");
  }
}
