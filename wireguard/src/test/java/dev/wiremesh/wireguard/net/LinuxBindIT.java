package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link LinuxBind}'s sticky source over IPv6, which needs a second local IPv6 address: a random
 * ULA /128 added to lo for the test (root) and removed afterwards.
 */
class LinuxBindIT {

  @Test
  void anIpv6ReplyLeavesFromTheAddressThePeerWroteTo() throws Exception {
    var second =
        InetAddress.ofLiteral(
            "fd7a:"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt())
                + "::2");
    var loopback = InetAddress.ofLiteral("::1");
    run("ip", "-6", "addr", "add", second.getHostAddress() + "/128", "dev", "lo", "nodad");
    try (var bind = new LinuxBind();
        var peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
      var opened = bind.open(0);
      peer.setSoTimeout(5000);
      peer.send(
          new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(second, opened.port())));
      var received = Receiving.one(opened.receivers().getLast());
      assertThat(received.from().address()).isEqualTo(peer.getLocalSocketAddress());
      assertThat(received.from().stickySource()).contains(second);

      bind.send(new byte[] {2}, 0, 1, received.from());
      var reply = new DatagramPacket(new byte[4], 4);
      peer.receive(reply);
      assertThat(reply.getSocketAddress()).isEqualTo(new InetSocketAddress(second, opened.port()));

      // Routing alone would answer from ::1.
      bind.send(new byte[] {3}, 0, 1, received.from().withSource(null));
      peer.receive(reply);
      assertThat(reply.getSocketAddress())
          .isEqualTo(new InetSocketAddress(loopback, opened.port()));
    } finally {
      run("ip", "-6", "addr", "del", second.getHostAddress() + "/128", "dev", "lo");
    }
  }

  private static void run(String... command) throws Exception {
    var process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
  }
}
