package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.testing.Netns;
import java.time.Duration;
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
    transferTwentyMegabytesOverTcp(direction.equals("java sends"), ipVersion);
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
