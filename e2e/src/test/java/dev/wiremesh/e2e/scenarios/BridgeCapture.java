package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.e2e.localmesh.Sh;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What crosses one node's wire: tcpdump on the host end of the node's veth (a port of the local
 * mesh's bridge; the bridge's own device does not see frames between two of its ports). A marker
 * datagram sent after the traffic, which must appear too, shows the capture saw everything before
 * it: packets on one port are captured in order, and immediate mode hands each over at once.
 */
final class BridgeCapture {

  private static final int MARKER_PORT = 9;

  private BridgeCapture() {}

  /**
   * The lines tcpdump printed for packets matching {@code filter} on {@code port} while {@code
   * traffic} ran, without the marker's: a UDP datagram from namespace {@code markerFrom} to {@code
   * markerTo} port 9, sent until it shows.
   */
  static List<String> during(
      String port, String filter, String markerFrom, String markerTo, Runnable traffic)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("wiremesh-tcpdump", ".txt");
    Process dump =
        new ProcessBuilder(
                "tcpdump",
                "-i",
                port,
                "-nn",
                "-l",
                "--immediate-mode",
                "-p",
                "("
                    + filter
                    + ") or (udp dst port "
                    + MARKER_PORT
                    + " and dst host "
                    + markerTo
                    + ")")
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start();
    String marker = markerTo + "." + MARKER_PORT + ":";
    try (var err =
        new BufferedReader(new InputStreamReader(dump.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      StringBuilder said = new StringBuilder();
      do {
        line = err.readLine();
        said.append(line).append('\n');
      } while (line != null && !line.contains("listening on"));
      assertThat(line).as("tcpdump on %s did not start: %s", port, said).isNotNull();
      traffic.run();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                Sh.run(
                    "sh",
                    "-c",
                    "echo marker | ip netns exec "
                        + markerFrom
                        + " socat -u - UDP4-SENDTO:"
                        + markerTo
                        + ":"
                        + MARKER_PORT);
                assertThat(Files.readString(out))
                    .as("the marker on %s (filter %s)", port, filter)
                    .contains(marker);
              });
    } finally {
      dump.destroy();
      dump.waitFor(10, TimeUnit.SECONDS);
    }
    List<String> lines =
        Files.readAllLines(out).stream()
            .filter(l -> !l.isBlank() && !l.contains(marker)) // tcpdump ends with a blank line
            .toList();
    Files.delete(out);
    return lines;
  }
}
