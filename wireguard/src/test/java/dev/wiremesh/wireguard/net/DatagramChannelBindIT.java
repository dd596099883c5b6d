package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * fwmark ({@code SO_MARK} needs CAP_NET_ADMIN): read back from the socket, and seen by policy
 * routing — a rule sends marked packets to a table where the destination is unreachable.
 */
class DatagramChannelBindIT {
  private final DatagramChannelBind bind = new DatagramChannelBind();
  private final int mark = ThreadLocalRandom.current().nextInt(0x10000, 0x7fffffff);
  private final String table = Integer.toString(ThreadLocalRandom.current().nextInt(10000, 60000));

  @AfterEach
  void close() throws IOException {
    bind.close();
  }

  @Test
  void setMarkAppliesToTheOpenSocketAndToLaterOpenings() throws IOException {
    bind.open(0);
    assertThat(Sockets.mark(bind.descriptor())).isZero();
    bind.setMark(mark);
    assertThat(Sockets.mark(bind.descriptor())).isEqualTo(mark);
    bind.close();
    bind.open(0);
    assertThat(Sockets.mark(bind.descriptor())).isEqualTo(mark);
    bind.setMark(0);
    assertThat(Sockets.mark(bind.descriptor())).isZero();
  }

  @Test
  void policyRoutingSeesTheMark() throws IOException {
    var target = Endpoint.parse("198.51.100.77:9");
    String hexMark = "0x" + Integer.toHexString(mark);
    run("ip", "route", "add", "unreachable", "198.51.100.77/32", "table", table);
    run("ip", "rule", "add", "fwmark", hexMark, "lookup", table, "pref", "1000");
    try {
      bind.open(0);
      bind.send(new byte[] {1}, 0, 1, target); // unmarked: the main table's default route
      bind.setMark(mark);
      assertThatThrownBy(() -> bind.send(new byte[] {1}, 0, 1, target))
          .isInstanceOf(java.net.NoRouteToHostException.class);
      bind.setMark(0);
      bind.send(new byte[] {1}, 0, 1, target);
    } finally {
      run("ip", "rule", "del", "fwmark", hexMark, "lookup", table, "pref", "1000");
      run("ip", "route", "flush", "table", table);
    }
  }

  private static void run(String... command) {
    try {
      var process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
