package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java daemon's fallback paths against wireguard-go: with each kernel offload disabled
 * (WIREMESH_WG_DISABLE_OFFLOADS), as on a kernel that refuses it, TCP still crosses the tunnel
 * byte-identical in both directions. The fully offloaded path is {@link InteropIT}'s.
 */
class OffloadFallbackIT extends InteropFixture {
  @ParameterizedTest(name = "without {0}")
  @ValueSource(strings = {"tun-tso", "tun-vnet-hdr", "udp-gso,udp-gro", "all"})
  void twentyMegabytesOverTcpArriveByteIdenticalBothWays(String disabled) throws Exception {
    String tag = wm.ifname().substring(3);
    wm.delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> !wm.socket().toFile().exists());
    startJava(tag + "o", "WIREMESH_WG_DISABLE_OFFLOADS=" + disabled);
    wm.up(J4 + "/24", J6 + "/64");
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).as("java -> go").isTrue();
    transferTwentyMegabytesOverTcp(true, 4);
    transferTwentyMegabytesOverTcp(false, 6);
  }
}
