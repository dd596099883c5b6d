package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Traffic between the Java daemon and wireguard-go: pings, TCP transfers both ways, iperf3. */
class InteropIT extends InteropFixture {
  @Test
  void javaInitiatesAndPingsWorkBothWaysOverIpv4AndIpv6() {
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).as("java -> go over IPv4").isTrue();
    assertThat(wm.ping(G6, PING)).as("java -> go over IPv6").isTrue();
    assertThat(go.ping(J4, PING)).as("go -> java over IPv4").isTrue();
    assertThat(go.ping(J6, PING)).as("go -> java over IPv6").isTrue();
  }

  @Test
  void wireguardGoInitiatesAndJavaLearnsItsEndpoint() {
    // Java has no endpoint for go: only go can start the handshake.
    wm.wg("set", wm.ifname(), "peer", go.publicKey(), "allowed-ips", G4 + "/32," + G6 + "/128");
    go.wg(
        "set",
        go.ifname(),
        "peer",
        wm.publicKey(),
        "endpoint",
        OUTER_J4 + ":" + portJ,
        "allowed-ips",
        J4 + "/32," + J6 + "/128");
    assertThat(go.ping(J4, PING)).as("go -> java").isTrue();
    assertThat(wm.showField("endpoints", go.publicKey())).isEqualTo(OUTER_G4 + ":" + portG);
    assertThat(wm.ping(G6, PING)).as("java -> go after learning the endpoint").isTrue();
  }

  @Test
  void ipv6OuterEndpoint() {
    peerBoth(true);
    assertThat(wm.ping(G4, PING)).isTrue();
    assertThat(go.ping(J6, PING)).isTrue();
    assertThat(wm.showField("endpoints", go.publicKey())).isEqualTo("[" + OUTER_G6 + "]:" + portG);
  }

  /**
   * Java sending exercises the TUN's segmentation offload (super-packets cut into segments whose
   * checksums wireguard-go's kernel checks); Java receiving, the merging of segments into
   * super-packets for its own kernel.
   */
  @ParameterizedTest(name = "{0} over IPv{1}")
  @CsvSource({"java sends, 4", "java sends, 6", "java receives, 4", "java receives, 6"})
  void twentyMegabytesOverTcpArriveByteIdentical(String direction, int ipVersion) throws Exception {
    peerBoth(false);
    boolean javaSends = direction.equals("java sends");
    Netns sender = javaSends ? nsJ : nsG;
    Netns receiver = javaSends ? nsG : nsJ;
    String to = ipVersion == 4 ? (javaSends ? G4 : J4) : "[" + (javaSends ? G6 : J6) + "]";
    String listen = ipVersion == 4 ? "TCP-LISTEN" : "TCP6-LISTEN";
    String connect = ipVersion == 4 ? "TCP" : "TCP6";
    Path src = Files.createTempFile("wm-src", ".bin");
    Path dst = Files.createTempFile("wm-dst", ".bin");
    try {
      byte[] data = new byte[20 * 1024 * 1024];
      ThreadLocalRandom.current().nextBytes(data);
      Files.write(src, data);
      Process server =
          receiver.spawn(
              "sh", "-c", "socat -u " + listen + ":5555,reuseaddr OPEN:" + dst + ",creat,trunc");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  receiver
                      .tryExec(Duration.ofSeconds(2), "sh", "-c", "ss -ltn | grep -q :5555")
                      .ok());
      Netns.Result sent =
          sender.tryExec(
              Duration.ofSeconds(60),
              "sh",
              "-c",
              "socat -u OPEN:" + src + " " + connect + ":" + to + ":5555");
      assertThat(sent.ok()).as(sent.output()).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> !server.isAlive());
      assertThat(Files.mismatch(src, dst)).as("first differing byte").isEqualTo(-1L);
    } finally {
      Files.deleteIfExists(src);
      Files.deleteIfExists(dst);
    }
  }

  @Test
  void iperf3RunsTenSecondsWithoutAStall() throws Exception {
    peerBoth(false);
    nsG.exec("iperf3", "-s", "-1", "-D", "-p", "5201");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> nsG.tryExec(Duration.ofSeconds(2), "sh", "-c", "ss -ltn | grep -q :5201").ok());
    Netns.Result r =
        nsJ.tryExec(
            Duration.ofSeconds(40),
            "sh",
            "-c",
            "iperf3 -c "
                + G4
                + " -p 5201 -t 10 -J | jq -r '[.intervals[].sum.bits_per_second] | (length|tostring) + \" \" + (min|tostring)'");
    assertThat(r.ok()).as(r.output()).isTrue();
    String[] countAndMin = r.output().strip().split(" ");
    assertThat(Integer.parseInt(countAndMin[0]))
        .as("one-second intervals")
        .isGreaterThanOrEqualTo(10);
    assertThat(Double.parseDouble(countAndMin[1]))
        .as("the slowest one-second interval, bits/s (a stall shows as zero)")
        .isGreaterThan(1e6);
  }
}
