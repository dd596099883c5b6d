package dev.wiremesh.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.offload.Offload;
import dev.wiremesh.wireguard.offload.OffloadPolicy;
import dev.wiremesh.wireguard.offload.OffloadState.Status;
import dev.wiremesh.wireguard.offload.Offloads;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LinuxTun} against the real kernel, as root, in the root network namespace: each test
 * creates a TUN with a unique name and a random /24 out of 198.18.0.0/15 (the benchmarking range),
 * so parallel runs do not collide.
 */
class LinuxTunIT {
  private String name;
  private LinuxTun tun;
  private Inet4Address local;
  private Inet4Address remote;

  @BeforeEach
  void create() throws IOException {
    var random = ThreadLocalRandom.current();
    name = "wmt" + HexFormat.of().toHexDigits(random.nextInt()).substring(0, 6);
    tun = LinuxTun.create(name);
    int third = random.nextInt(256);
    local = (Inet4Address) InetAddress.ofLiteral("198.18." + third + ".1");
    remote = (Inet4Address) InetAddress.ofLiteral("198.18." + third + ".2");
  }

  @AfterEach
  void close() throws IOException {
    tun.close();
  }

  private void bringUp() {
    Commands.run("ip", "addr", "add", local.getHostAddress() + "/24", "dev", name);
    Commands.run("ip", "link", "set", "dev", name, "up");
  }

  /** Reads until an IPv4 packet of that protocol to {@code remote} arrives (IPv6 noise skipped). */
  private byte[] readIpv4To(int protocol, byte[] buf) throws IOException {
    while (true) {
      int n = tun.read(buf, 0, buf.length);
      if (IpPackets.version(buf) == 4
          && IpPackets.protocol(buf) == protocol
          && IpPackets.destination(buf).equals(remote)) {
        return Arrays.copyOf(buf, n);
      }
    }
  }

  @Test
  void looksUpInterfacesByName() {
    assertThat(NetworkInterfaces.index("lo")).hasValue(1);
    assertThat(NetworkInterfaces.exists("wmnosuch0")).isFalse();
    assertThat(NetworkInterfaces.index("wmnosuch0")).isEmpty();
    assertThatThrownBy(() -> NetworkInterfaces.mtu("wmnosuch0"))
        .hasMessage("cannot read the MTU of interface \"wmnosuch0\": ENODEV");
  }

  @Test
  void createsTheInterfaceWithTheRequestedName() {
    assertThat(tun.name()).isEqualTo(name);
    assertThat(NetworkInterfaces.exists(name)).isTrue();
    assertThat(NetworkInterfaces.index(name)).isPresent();
    assertThat(Commands.run("ip", "-d", "link", "show", "dev", name)).contains("tun");
  }

  @Test
  void readsAUdpDatagramTheKernelRoutesIntoTheInterfaceAndDeliversAWrittenOne() throws Exception {
    bringUp();
    roundTripsAUdpDatagram();
  }

  private void roundTripsAUdpDatagram() throws Exception {
    try (var socket = new DatagramSocket(new InetSocketAddress(local, 0))) {
      byte[] hello = "hello tun".getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(remote, 4000)));

      byte[] packet = readIpv4To(IpPackets.UDP, new byte[2048]);
      assertThat(IpPackets.source(packet)).isEqualTo(local);
      assertThat(IpPackets.udpDestinationPort(packet)).isEqualTo(4000);
      assertThat(IpPackets.udpPayload(packet, packet.length)).isEqualTo(hello);

      byte[] reply = "reply from tun".getBytes(StandardCharsets.UTF_8);
      tun.write(IpPackets.ipv4Udp(remote, 4000, local, socket.getLocalPort(), reply), 0, 42);
      socket.setSoTimeout(5000);
      var received = new DatagramPacket(new byte[100], 100);
      socket.receive(received);
      assertThat(Arrays.copyOf(received.getData(), received.getLength())).isEqualTo(reply);
      assertThat(received.getSocketAddress()).isEqualTo(new InetSocketAddress(remote, 4000));
    }
  }

  @Test
  void writesProceedWhileAReaderIsBlocked() throws Exception {
    bringUp();
    var reader = blockedReader();
    try (var socket = new DatagramSocket(new InetSocketAddress(local, 0))) {
      socket.setSoTimeout(5000);
      byte[] data = {42};
      tun.write(IpPackets.ipv4Udp(remote, 4000, local, socket.getLocalPort(), data), 0, 29);
      var received = new DatagramPacket(new byte[10], 10);
      socket.receive(received);
      assertThat(received.getLength()).isEqualTo(1);
      assertThat(received.getData()[0]).isEqualTo((byte) 42);
    }
    assertThat(reader).isNotDone();
  }

  @Test
  void negotiatesTheVirtioHeaderAndTcpSegmentationOffload() {
    assertThat(tun.offloads().state(Offload.TUN_VNET_HDR).status()).isEqualTo(Status.ON);
    assertThat(tun.offloads().state(Offload.TUN_TSO).toString()).isEqualTo("on (csum, tso4, tso6)");
  }

  /** The fallback paths: plain packets behind a virtio header, and bare packets without one. */
  @ParameterizedTest(name = "without {0}")
  @ValueSource(strings = {"tun-tso", "tun-vnet-hdr"})
  void withoutAnOffloadDatagramsAndPingsStillCrossBothWays(String disabled) throws Exception {
    tun.close();
    tun = LinuxTun.create(name, new Offloads(OffloadPolicy.parse(disabled)));
    assertThat(tun.offloads().state(Offload.TUN_TSO).status()).isEqualTo(Status.DISABLED);
    assertThat(tun.offloads().state(Offload.TUN_VNET_HDR).status())
        .isEqualTo(disabled.equals("tun-vnet-hdr") ? Status.DISABLED : Status.ON);
    bringUp();
    roundTripsAUdpDatagram();
    answersAPingThroughTheBatchWrite();
  }

  @Test
  void answersAPingThroughTheInterface() throws Exception {
    bringUp();
    answersAPingThroughTheBatchWrite();
  }

  private void answersAPingThroughTheBatchWrite() throws Exception {
    var ping =
        new ProcessBuilder("ping", "-c", "1", "-W", "5", remote.getHostAddress())
            .redirectErrorStream(true)
            .start();
    byte[] request = readIpv4To(IpPackets.ICMP, new byte[2048]);
    assertThat(request[IpPackets.headerLength(request)])
        .as("ICMP type echo request")
        .isEqualTo((byte) 8);
    byte[] reply = IpPackets.icmpEchoReply(request, request.length);
    // Through the batch call, with room for a header in front as the device will use it.
    byte[] buf = new byte[16 + reply.length];
    System.arraycopy(reply, 0, buf, 16, reply.length);
    assertThat(tun.write(new byte[][] {buf}, new int[] {reply.length}, 16, 1)).isEqualTo(1);
    assertThat(ping.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ping.exitValue()).as(new String(ping.getInputStream().readAllBytes())).isZero();
  }

  @Test
  void batchReadReturnsAPacketAtTheRequestedOffset() throws Exception {
    bringUp();
    try (var socket = new DatagramSocket(new InetSocketAddress(local, 0))) {
      byte[] data = {1, 2, 3};
      byte[][] bufs = {new byte[2048]};
      int[] sizes = new int[1];
      while (true) {
        socket.send(new DatagramPacket(data, 3, new InetSocketAddress(remote, 4001)));
        assertThat(tun.read(bufs, sizes, 16)).isEqualTo(1);
        byte[] packet = Arrays.copyOfRange(bufs[0], 16, 16 + sizes[0]);
        if (IpPackets.version(packet) == 4 && IpPackets.protocol(packet) == IpPackets.UDP) {
          assertThat(sizes[0]).isEqualTo(20 + 8 + 3);
          assertThat(IpPackets.udpPayload(packet, sizes[0])).containsExactly(1, 2, 3);
          return;
        }
      }
    }
  }

  @Test
  void batchReadReturnsWhatTheKernelHasQueued() throws Exception {
    bringUp();
    try (var socket = new DatagramSocket(new InetSocketAddress(local, 0))) {
      for (byte i = 1; i <= 5; i++) {
        socket.send(new DatagramPacket(new byte[] {i}, 1, new InetSocketAddress(remote, 4002)));
      }
      byte[][] bufs = new byte[tun.batchSize()][2048];
      int[] sizes = new int[bufs.length];
      var payloads = new java.util.ArrayList<Byte>();
      // The kernel may queue its own IPv6 packets as well; ours arrive in one batch, in order.
      while (payloads.isEmpty()) {
        int count = tun.read(bufs, sizes, 0);
        for (int i = 0; i < count; i++) {
          byte[] packet = Arrays.copyOf(bufs[i], sizes[i]);
          if (IpPackets.version(packet) == 4 && IpPackets.protocol(packet) == IpPackets.UDP) {
            payloads.add(IpPackets.udpPayload(packet, sizes[i])[0]);
          }
        }
      }
      assertThat(payloads).containsExactly((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5);
    }
  }

  @Test
  void refusedWritesAreErrorsOfThatCallOnly() throws Exception {
    byte[] packet = IpPackets.ipv4Udp(remote, 4000, local, 9, new byte[1]);
    assertThatThrownBy(() -> tun.write(packet, 0, packet.length))
        .isNotInstanceOf(TunGoneException.class)
        .hasMessage("write on TUN interface \"" + name + "\" failed: EIO"); // still down
    bringUp();
    assertThatThrownBy(() -> tun.write(new byte[] {1, 2, 3}, 0, 3))
        .isNotInstanceOf(TunGoneException.class)
        .hasMessageEndingWith("EINVAL");
    tun.write(packet, 0, packet.length);
  }

  @Test
  void mtuFollowsIpLinkSetMtu() throws IOException {
    Commands.run("ip", "link", "set", "dev", name, "mtu", "1280");
    assertThat(tun.mtu()).isEqualTo(1280);
    Commands.run("ip", "link", "set", "dev", name, "mtu", "9000");
    assertThat(tun.mtu()).isEqualTo(9000);
    tun.setMtu(1420);
    assertThat(Commands.run("ip", "link", "show", "dev", name)).contains("mtu 1420");
    assertThatThrownBy(() -> tun.setMtu(10))
        .hasMessage("cannot set MTU 10 on interface \"" + name + "\": EINVAL");
    NetworkInterfaces.setMtu(name, 1300);
    assertThat(NetworkInterfaces.mtu(name)).isEqualTo(1300).isEqualTo(tun.mtu());
  }

  @Test
  void deletingTheInterfaceSurfacesTunGoneToABlockedReader() throws Exception {
    bringUp();
    var reader = blockedReader();
    Commands.run("ip", "link", "del", "dev", name);
    assertThat(Async.failureWithin(reader, Duration.ofSeconds(5)))
        .isInstanceOf(TunGoneException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("EBADFD");
    assertThatThrownBy(() -> tun.write(new byte[20], 0, 20)).isInstanceOf(TunGoneException.class);
    assertThatThrownBy(() -> tun.mtu()).isInstanceOf(TunGoneException.class);
    assertThat(NetworkInterfaces.exists(name)).isFalse();
  }

  @Test
  void closeUnblocksABlockedReaderAndRemovesTheInterface() throws Exception {
    var reader = blockedReader();
    tun.close();
    assertThat(Async.failureWithin(reader, Duration.ofSeconds(5)))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> tun.read(new byte[10], 0, 10))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> tun.write(new byte[10], 0, 10))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(tun::mtu).isInstanceOf(ClosedChannelException.class);
    tun.close(); // idempotent
    await().atMost(Duration.ofSeconds(5)).until(() -> !NetworkInterfaces.exists(name));
  }

  @Test
  void refusesANameInUseWithEbusy() {
    assertThatThrownBy(() -> LinuxTun.create(name))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "cannot create TUN interface \""
                + name
                + "\": EBUSY (a TUN interface of that name exists and another process holds it)");
  }

  @Test
  void refusesTheNameOfAnInterfaceThatIsNotATun() {
    assertThatThrownBy(() -> LinuxTun.create("lo"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot create TUN interface \"lo\": EINVAL");
  }

  @Test
  void refusesAnInvalidNameBeforeAskingTheKernel() {
    assertThatThrownBy(() -> LinuxTun.create("sixteen-chars-xx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"sixteen-chars-xx\"")
        .hasMessageContaining("1-15 bytes");
  }

  @Test
  void letsTheKernelPickANumber() throws IOException {
    try (var picked = LinuxTun.create("wmp%d")) {
      assertThat(picked.name()).matches("wmp[0-9]+");
      assertThat(NetworkInterfaces.exists(picked.name())).isTrue();
    }
  }

  /** A reader thread that has reached poll(2) inside read. */
  private CompletableFuture<Integer> blockedReader() {
    var result = new CompletableFuture<Integer>();
    var thread =
        Thread.ofPlatform()
            .name("tun-reader")
            .start(
                () -> {
                  try {
                    // Skip packets the kernel sends on its own (IPv6 router solicitations).
                    while (true) {
                      tun.read(new byte[2048], 0, 2048);
                    }
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Arrays.stream(thread.getStackTrace())
                    .anyMatch(frame -> frame.getMethodName().equals("awaitReady")));
    return result;
  }
}
