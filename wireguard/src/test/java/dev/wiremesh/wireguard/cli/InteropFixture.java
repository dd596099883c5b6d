package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.testing.Netns;
import dev.wiremesh.wireguard.testing.WgNode;
import java.nio.file.Files;
import java.nio.file.Path;
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
    peerBoth(epG, epJ);
  }

  /** Java sends to wireguard-go at {@code epG}, wireguard-go to Java at {@code epJ}. */
  void peerBoth(String epG, String epJ) {
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

  /**
   * 20 MB of random bytes over TCP through the tunnel (socat), Java to wireguard-go or back, over
   * IPv4 or IPv6 inner addresses; asserts they arrive byte-identical.
   */
  void transferTwentyMegabytesOverTcp(boolean javaSends, int ipVersion) throws Exception {
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
      Process server = listen(receiver, listen, 5555, dst);
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

  /**
   * Starts socat in {@code ns} writing what arrives on TCP {@code port} ({@code TCP-LISTEN} or
   * {@code TCP6-LISTEN}) into {@code to}, and waits until it listens.
   */
  static Process listen(Netns ns, String kind, int port, Path to) {
    Process server =
        ns.spawn(
            "sh", "-c", "socat -u " + kind + ":" + port + ",reuseaddr OPEN:" + to + ",creat,trunc");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> ns.tryExec(Duration.ofSeconds(2), "sh", "-c", "ss -ltn | grep -q :" + port).ok());
    return server;
  }
}
