package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.NoRouteToHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * fwmark ({@code SO_MARK} needs CAP_NET_ADMIN) for both kernel binds: read back from every socket,
 * and seen by policy routing — a rule sends marked packets to a table where the destination is
 * unreachable.
 */
class FwmarkIT {
  private final int mark = ThreadLocalRandom.current().nextInt(0x10000, 0x7fffffff);
  private final String table = Integer.toString(ThreadLocalRandom.current().nextInt(10000, 60000));
  private Bind bind;

  record Implementation(String name, Bind bind, Function<Bind, List<Integer>> descriptors) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> implementations() {
    return Stream.of(
        Arguments.of(
            new Implementation(
                "DatagramChannelBind",
                new DatagramChannelBind(),
                b -> {
                  try {
                    return List.of(((DatagramChannelBind) b).descriptor());
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })),
        Arguments.of(
            new Implementation("LinuxBind", new LinuxBind(), b -> ((LinuxBind) b).descriptors())));
  }

  @AfterEach
  void close() throws IOException {
    bind.close();
  }

  private List<Integer> marks(Implementation implementation) {
    return implementation.descriptors().apply(bind).stream()
        .map(
            fd -> {
              try {
                return Sockets.mark(fd);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void setMarkAppliesToTheOpenSocketsAndToLaterOpenings(Implementation implementation)
      throws IOException {
    bind = implementation.bind();
    bind.open(0);
    assertThat(marks(implementation)).isNotEmpty().containsOnly(0);
    bind.setMark(mark);
    assertThat(marks(implementation)).containsOnly(mark);
    bind.close();
    bind.open(0);
    assertThat(marks(implementation)).containsOnly(mark);
    bind.setMark(0);
    assertThat(marks(implementation)).containsOnly(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void policyRoutingSeesTheMark(Implementation implementation) throws IOException {
    bind = implementation.bind();
    var target = Endpoint.parse("198.51.100.77:9");
    String hexMark = "0x" + Integer.toHexString(mark);
    run("ip", "route", "add", "unreachable", "198.51.100.77/32", "table", table);
    run("ip", "rule", "add", "fwmark", hexMark, "lookup", table, "pref", "1000");
    try {
      bind.open(0);
      bind.send(new byte[] {1}, 0, 1, target); // unmarked: the main table's default route
      bind.setMark(mark);
      assertThatThrownBy(() -> bind.send(new byte[] {1}, 0, 1, target))
          .isInstanceOf(NoRouteToHostException.class);
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
