package dev.wiremesh.wireguard.cli;

import dev.wiremesh.wireguard.testing.Netns;
import dev.wiremesh.wireguard.testing.WgNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Two nodes for interop tests. The Java daemon ({@code bin/wiremesh-wg}) in one network namespace,
 * Debian's wireguard-go in another, joined by a veth pair and configured only through {@code wg},
 * as a user would. Needs root, wireguard-go, wireguard-tools, iproute2, iputils-ping, socat and
 * iperf3 (.ci/run installs them).
 */
abstract class InteropFixture {
  static final String J4 = "10.9.0.1";
  static final String G4 = "10.9.0.2";
  static final String J6 = "fd00:9::1";
  static final String G6 = "fd00:9::2";
  static final String OUTER_J4 = "192.0.2.1";
  static final String OUTER_G4 = "192.0.2.2";
  static final String OUTER_J6 = "fd00:100::1";
  static final String OUTER_G6 = "fd00:100::2";
  static final Duration PING = Duration.ofSeconds(5);

  Netns nsJ;
  Netns nsG;
  WgNode wm;
  WgNode go;
  int portJ;
  int portG;

  @BeforeEach
  void setUp() {
    nsJ = Netns.create("wmj");
    nsG = Netns.create("wmg");
    Netns.link(
        nsJ,
        "vj",
        List.of(OUTER_J4 + "/24", OUTER_J6 + "/64"),
        nsG,
        "vg",
        List.of(OUTER_G4 + "/24", OUTER_G6 + "/64"));
    String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16, 1 << 20));
    portJ = 51820;
    portG = 51821;
    startJava(tag);
    go = WgNode.start(nsG, WgNode.WIREGUARD_GO, "wgg" + tag);
    go.wg("set", go.ifname(), "listen-port", String.valueOf(portG));
    wm.up(J4 + "/24", J6 + "/64");
    go.up(G4 + "/24", G6 + "/64");
  }

  void startJava(String tag, String... env) {
    wm = WgNode.start(nsJ, WgNode.JAVA_IMPL, "wmj" + tag, env);
    wm.wg("set", wm.ifname(), "listen-port", String.valueOf(portJ));
  }

  @AfterEach
  void tearDown() {
    if (wm != null) {
      wm.delete();
    }
    if (go != null) {
      go.delete();
    }
    if (nsJ != null) {
      nsJ.close();
    }
    if (nsG != null) {
      nsG.close();
    }
  }

  /** Java knows wireguard-go's endpoint and vice versa, over IPv4 or IPv6 outer addresses. */
  void peerBoth(boolean ipv6Outer) {
    String epG = ipv6Outer ? "[" + OUTER_G6 + "]:" + portG : OUTER_G4 + ":" + portG;
    String epJ = ipv6Outer ? "[" + OUTER_J6 + "]:" + portJ : OUTER_J4 + ":" + portJ;
    wm.wg(
        "set",
        wm.ifname(),
        "peer",
        go.publicKey(),
        "endpoint",
        epG,
        "allowed-ips",
        G4 + "/32," + G6 + "/128");
    go.wg(
        "set",
        go.ifname(),
        "peer",
        wm.publicKey(),
        "endpoint",
        epJ,
        "allowed-ips",
        J4 + "/32," + J6 + "/128");
  }
}
