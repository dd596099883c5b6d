package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link Bind} contract, for each kernel-backed implementation, over loopback (no root). */
class BindContractTest {
  private Bind a;
  private Bind b;

  static Stream<Arguments> implementations() {
    return Stream.of(
        Arguments.of("DatagramChannelBind", (Supplier<Bind>) DatagramChannelBind::new),
        Arguments.of("LinuxBind", (Supplier<Bind>) LinuxBind::new));
  }

  static Stream<Arguments> implementationsAndLoopbacks() {
    return implementations()
        .flatMap(
            i ->
                Stream.of("127.0.0.1", "::1")
                    .map(loopback -> Arguments.of(i.get()[0], i.get()[1], loopback)));
  }

  private void create(Supplier<Bind> factory) {
    a = factory.get();
    b = factory.get();
  }

  @AfterEach
  void close() throws Exception {
    a.close();
    b.close();
  }

  /** The receiver for {@code ip}'s family (LinuxBind has one per family, IPv4 first). */
  private static Bind.Receiver receiverFor(Bind.Opened opened, String ip) {
    var receivers = opened.receivers();
    return ip.contains(":") ? receivers.getLast() : receivers.getFirst();
  }

  @ParameterizedTest(name = "{0} over {2}")
  @MethodSource("implementationsAndLoopbacks")
  void roundTripsOverLoopbackOnOnePortForBothFamilies(
      String name, Supplier<Bind> factory, String loopback) throws Exception {
    create(factory);
    var openedA = a.open(0);
    var openedB = b.open(0);
    var ip = InetAddress.ofLiteral(loopback);

    a.send(new byte[] {9, 1, 2, 3}, 1, 3, Endpoint.of(ip, openedB.port()));
    var atB = Receiving.one(receiverFor(openedB, loopback));
    assertThat(atB.data()).containsExactly(1, 2, 3);
    assertThat(atB.from().address()).isEqualTo(new InetSocketAddress(ip, openedA.port()));

    // The reply goes to the endpoint as received, through the batch call.
    byte[][] bufs = {{0, 4}, {0, 5, 6}};
    b.send(bufs, new int[] {1, 2}, 1, 2, atB.from());
    assertThat(Receiving.one(receiverFor(openedA, loopback)).data()).containsExactly(4);
    var second = Receiving.one(receiverFor(openedA, loopback));
    assertThat(second.data()).containsExactly(5, 6);
    assertThat(second.from().address()).isEqualTo(new InetSocketAddress(ip, openedB.port()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void portZeroGetsAFreePortAndAClosedBindReopensOnIt(String name, Supplier<Bind> factory)
      throws Exception {
    create(factory);
    int port = a.open(0).port();
    assertThat(port).isBetween(1, 65535);
    assertThat(b.open(0).port()).isNotEqualTo(port);
    a.close();
    assertThat(a.open(port).port()).isEqualTo(port);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void aPortInUseGivesAClearBindException(String name, Supplier<Bind> factory) throws Exception {
    create(factory);
    int port = a.open(0).port();
    assertThatThrownBy(() -> b.open(port))
        .isInstanceOf(BindException.class)
        .hasMessage("cannot listen on UDP port " + port + ": address already in use (EADDRINUSE)");
    // The failed attempt left b closed and usable.
    assertThat(b.open(0).port()).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void thePortIsClaimedForIpv4Too(String name, Supplier<Bind> factory) throws Exception {
    create(factory);
    try (var ipv4 =
        new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 0))) {
      assertThatThrownBy(() -> a.open(ipv4.getLocalPort())).isInstanceOf(BindException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void closeUnblocksEveryBlockedReceiver(String name, Supplier<Bind> factory) throws Exception {
    create(factory);
    var receivers = a.open(0).receivers();
    var pending = receivers.stream().map(r -> Receiving.start(r, 100).awaitBlocked()).toList();
    a.close();
    for (var p : pending) {
      assertThat(Receiving.failure(p.result())).isInstanceOf(ClosedChannelException.class);
    }
    assertThatThrownBy(
            () ->
                receivers
                    .getFirst()
                    .receive(new byte[][] {new byte[1]}, new int[1], new Endpoint[1]))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> a.send(new byte[1], 0, 1, Endpoint.parse("127.0.0.1:9")))
        .isInstanceOf(ClosedChannelException.class);
    a.close(); // idempotent
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void aDatagramLongerThanTheBufferComesInALargerArray(String name, Supplier<Bind> factory)
      throws Exception {
    create(factory);
    var openedB = b.open(0);
    a.open(0);
    a.send(
        new byte[] {1, 2, 3, 4, 5},
        0,
        5,
        Endpoint.of(InetAddress.ofLiteral("127.0.0.1"), openedB.port()));
    var received =
        Receiving.inBackground(openedB.receivers().getFirst(), 2).get(5, TimeUnit.SECONDS);
    assertThat(received.data()).containsExactly(1, 2, 3, 4, 5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void refusesASecondOpenAndABadPort(String name, Supplier<Bind> factory) throws Exception {
    create(factory);
    int port = a.open(0).port();
    assertThatThrownBy(() -> a.open(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bind is already open on port " + port);
    assertThatThrownBy(() -> b.open(65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("listen_port 65536 is not valid: 0-65535");
  }
}
