package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class MemoryBindTest {
  private static final InetAddress A = InetAddress.ofLiteral("192.0.2.1");
  private static final InetAddress B = InetAddress.ofLiteral("2001:db8::2");

  private final MemoryNetwork network = new MemoryNetwork();
  private final MemoryBind a = network.bind(A);
  private final MemoryBind b = network.bind(B);

  @Test
  void deliversByAddressAndPortWithTheSenderAndTheStickySource() throws Exception {
    int portA = a.open(51820).port();
    var openedB = b.open(0);
    assertThat(portA).isEqualTo(51820);
    assertThat(openedB.port()).isBetween(49152, 65535);

    a.send(new byte[] {0, 1, 2}, 1, 2, Endpoint.of(B, openedB.port()));
    var received = Receiving.one(openedB.receivers().getFirst());
    assertThat(received.data()).containsExactly(1, 2);
    assertThat(received.from().address()).isEqualTo(Endpoint.of(A, 51820).address());
    assertThat(received.from().stickySource()).contains(B);
    assertThat(received.from().toString()).isEqualTo("192.0.2.1:51820");
  }

  @Test
  void aBatchReceiveTakesWhatIsQueuedInOrder() throws Exception {
    a.open(0);
    var openedB = b.open(0);
    byte[][] packets = {{1}, {2}, {3}};
    a.send(packets, new int[] {1, 1, 1}, 0, 3, Endpoint.of(B, openedB.port()));
    byte[][] bufs = new byte[b.batchSize()][10];
    int[] sizes = new int[bufs.length];
    Endpoint[] from = new Endpoint[bufs.length];
    assertThat(openedB.receivers().getFirst().receive(bufs, sizes, from)).isEqualTo(3);
    assertThat(new byte[] {bufs[0][0], bufs[1][0], bufs[2][0]}).containsExactly(1, 2, 3);
    assertThat(sizes).startsWith(1, 1, 1);
  }

  @Test
  void dropsWhatNobodyListensForAndWhatTheFilterRejects() throws Exception {
    a.open(0);
    var openedB = b.open(0);
    var toB = Endpoint.of(B, openedB.port());
    a.send(new byte[] {1}, 0, 1, Endpoint.of(B, 1)); // nobody there
    network.dropIf(d -> d.data()[0] == 2);
    a.send(new byte[] {2}, 0, 1, toB);
    a.send(new byte[] {3}, 0, 1, toB);
    assertThat(Receiving.one(openedB.receivers().getFirst()).data()).containsExactly(3);
  }

  @Test
  void aPortInUseIsRefusedAndCloseFreesIt() throws Exception {
    var other = network.bind(A);
    a.open(51820);
    assertThatThrownBy(() -> other.open(51820))
        .isInstanceOf(BindException.class)
        .hasMessageContaining("EADDRINUSE");
    a.close();
    assertThat(other.open(51820).port()).isEqualTo(51820);
  }

  @Test
  void closeUnblocksABlockedReceiverAndLaterCallsFail() throws Exception {
    var receiver = a.open(0).receivers().getFirst();
    var pending = Receiving.start(receiver, 10).awaitBlocked();
    a.close();
    assertThat(Receiving.failure(pending.result())).isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(
            () -> receiver.receive(new byte[][] {new byte[1]}, new int[1], new Endpoint[1]))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> a.send(new byte[1], 0, 1, Endpoint.of(B, 1)))
        .isInstanceOf(ClosedChannelException.class);
  }

  @Test
  void moveToChangesTheSourceAddressAfterReopening() throws Exception {
    var openedB = b.open(0);
    a.open(1000);
    var newAddress = InetAddress.ofLiteral("198.51.100.9");
    a.moveTo(newAddress);
    assertThat(a.localPort()).isEqualTo(-1);
    a.open(1001);
    a.send(new byte[] {7}, 0, 1, Endpoint.of(B, openedB.port()));
    assertThat(Receiving.one(openedB.receivers().getFirst()).from().toString())
        .isEqualTo("198.51.100.9:1001");
  }

  @Test
  void remembersTheMark() {
    a.setMark(51820);
    assertThat(a.mark()).isEqualTo(51820);
  }
}
