package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.net.Receiving.Received;
import dev.wiremesh.wireguard.offload.Offload;
import dev.wiremesh.wireguard.offload.OffloadPolicy;
import dev.wiremesh.wireguard.offload.OffloadState.Status;
import dev.wiremesh.wireguard.offload.Offloads;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LinuxBind}'s batched sends (UDP_SEGMENT: one system call for a run of equal-size
 * datagrams) and receives (UDP_GRO: the kernel hands over a run in one buffer, the receiver splits
 * it), over loopback: whatever the kernel coalesces, every datagram arrives whole, alone and in
 * order.
 */
class LinuxBindBatchTest {
  private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

  private final LinuxBind sender = new LinuxBind();
  private final LinuxBind receiver = new LinuxBind();

  @AfterEach
  void close() {
    sender.close();
    receiver.close();
  }

  /** {@code count} datagrams: {@code size} bytes each but the last, which has {@code last}. */
  private static byte[][] datagrams(int count, int size, int last) {
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      out[i] = new byte[i == count - 1 ? last : size];
      Arrays.fill(out[i], (byte) (i + 1));
    }
    return out;
  }

  private static int[] sizes(byte[][] datagrams) {
    return Arrays.stream(datagrams).mapToInt(d -> d.length).toArray();
  }

  @Test
  void aRunOfEqualSizeDatagramsArrivesAsSeparateDatagramsAtAPlainSocket() throws Exception {
    sender.open(0);
    byte[][] sent = datagrams(20, 1452, 700);
    try (var peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      peer.setSoTimeout(5000);
      sender.send(sent, sizes(sent), 0, sent.length, Endpoint.of(LOOPBACK, peer.getLocalPort()));
      for (byte[] expected : sent) {
        var packet = new DatagramPacket(new byte[2048], 2048);
        peer.receive(packet);
        assertThat(Arrays.copyOf(packet.getData(), packet.getLength())).isEqualTo(expected);
      }
    }
  }

  @Test
  void aSegmentedRunLeavesFromTheStickySource() throws Exception {
    var opened = sender.open(0);
    byte[][] sent = datagrams(5, 1000, 1000);
    var second = InetAddress.ofLiteral("127.0.0.2");
    try (var peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      peer.setSoTimeout(5000);
      var to = Endpoint.of(LOOPBACK, peer.getLocalPort()).withSource(second);
      sender.send(sent, sizes(sent), 0, sent.length, to);
      for (byte[] expected : sent) {
        var packet = new DatagramPacket(new byte[2048], 2048);
        peer.receive(packet);
        assertThat(packet.getSocketAddress())
            .isEqualTo(new InetSocketAddress(second, opened.port()));
        assertThat(Arrays.copyOf(packet.getData(), packet.getLength())).isEqualTo(expected);
      }
    }
  }

  @Test
  void aBatchSentInOneCallIsReceivedWholeAndInOrderEvenInSmallArrays() throws Exception {
    sender.open(0);
    var opened = receiver.open(0);
    byte[][] sent = datagrams(100, 1452, 33); // more than one segmented send carries
    var to = Endpoint.of(LOOPBACK, opened.port());
    var received = receiveInBackground(opened.receivers().getFirst(), sent.length, 7);
    sender.send(sent, sizes(sent), 0, sent.length, to);

    List<Received> got = received.get(5, TimeUnit.SECONDS);
    assertThat(got).hasSize(sent.length);
    var from = Endpoint.of(LOOPBACK, sender.localPort()).withSource(LOOPBACK);
    assertThat(got).extracting(Received::from).containsOnly(from);
    for (int i = 0; i < sent.length; i++) {
      assertThat(got.get(i).data()).as("datagram %d", i).isEqualTo(sent[i]);
    }
  }

  @Test
  void bothOffloadsAreNegotiatedOnBothSocketsAndRecorded() throws Exception {
    receiver.open(0);
    assertThat(receiver.offloads().state(Offload.UDP_GSO).status()).isEqualTo(Status.ON);
    assertThat(receiver.offloads().state(Offload.UDP_GRO).toString()).isEqualTo("on (ipv4, ipv6)");
    for (int fd : receiver.descriptors()) {
      assertThat(Sockets.getInt(fd, Syscalls.SOL_UDP, Syscalls.UDP_GRO)).isEqualTo(1);
    }
  }

  @Test
  void withSegmentationAndCoalescingDisabledABatchStillArrivesWholeAndInOrder() throws Exception {
    var policy = OffloadPolicy.parse("udp-gso,udp-gro");
    try (var plainSender = new LinuxBind(new Offloads(policy));
        var plainReceiver = new LinuxBind(new Offloads(policy))) {
      plainSender.open(0);
      var opened = plainReceiver.open(0);
      for (var bind : List.of(plainSender, plainReceiver)) {
        assertThat(bind.offloads().state(Offload.UDP_GSO).status()).isEqualTo(Status.DISABLED);
        assertThat(bind.offloads().state(Offload.UDP_GRO).status()).isEqualTo(Status.DISABLED);
      }
      for (int fd : plainReceiver.descriptors()) {
        assertThat(Sockets.getInt(fd, Syscalls.SOL_UDP, Syscalls.UDP_GRO))
            .as("UDP_GRO left off")
            .isZero();
      }
      byte[][] sent = datagrams(100, 1452, 33);
      var received = receiveInBackground(opened.receivers().getFirst(), sent.length, 7);
      plainSender.send(sent, sizes(sent), 0, sent.length, Endpoint.of(LOOPBACK, opened.port()));
      List<Received> got = received.get(5, TimeUnit.SECONDS);
      assertThat(got).extracting(Received::data).containsExactly(sent);
    }
  }

  @Test
  void segmentRunsStopAtALargerDatagramAfterAShorterOneAndAtTheKernelsLimits() {
    assertThat(LinuxBind.segmentRun(new int[] {100, 100, 100, 50, 100}, 0, 5)).isEqualTo(4);
    assertThat(LinuxBind.segmentRun(new int[] {100, 100, 100, 50, 100}, 4, 5)).isEqualTo(1);
    assertThat(LinuxBind.segmentRun(new int[] {100, 200, 200}, 0, 3)).isEqualTo(1);
    int[] full = new int[100];
    Arrays.fill(full, 1452);
    assertThat(LinuxBind.segmentRun(full, 0, 100))
        .isEqualTo(UdpSocket.MAX_SEGMENTED_BYTES / 1452); // 45: the byte limit
    Arrays.fill(full, 100);
    assertThat(LinuxBind.segmentRun(full, 0, 100)).isEqualTo(UdpSocket.MAX_SEGMENTS);
  }

  /** Receives {@code total} datagrams with arrays of {@code slots} buffers of 2048 bytes. */
  private static CompletableFuture<List<Received>> receiveInBackground(
      Bind.Receiver receiver, int total, int slots) {
    var result = new CompletableFuture<List<Received>>();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                List<Received> got = new ArrayList<>();
                byte[][] bufs = new byte[slots][2048];
                int[] sizes = new int[slots];
                Endpoint[] from = new Endpoint[slots];
                while (got.size() < total) {
                  int n = receiver.receive(bufs, sizes, from);
                  for (int i = 0; i < n; i++) {
                    got.add(new Received(Arrays.copyOf(bufs[i], sizes[i]), from[i]));
                  }
                }
                result.complete(got);
              } catch (Throwable t) {
                result.completeExceptionally(t);
              }
            });
    return result;
  }
}
