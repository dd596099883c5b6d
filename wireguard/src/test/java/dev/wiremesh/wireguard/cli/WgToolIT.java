package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.testing.Netns;
import dev.wiremesh.wireguard.testing.WgNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** What a user sees through {@code wg} and the UAPI socket, and the daemon's life cycle. */
class WgToolIT extends InteropFixture {

  @Test
  void wgShowReportsKeysPortEndpointHandshakeAndTransfer() {
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).isTrue();
    assertThat(wm.wg("show", wm.ifname(), "public-key").strip()).isEqualTo(wm.publicKey());
    assertThat(wm.wg("show", wm.ifname(), "listen-port").strip()).isEqualTo(String.valueOf(portJ));
    assertThat(wm.showField("endpoints", go.publicKey())).isEqualTo(OUTER_G4 + ":" + portG);
    long handshake = Long.parseLong(wm.showField("latest-handshakes", go.publicKey()));
    assertThat(handshake)
        .as("latest handshake, seconds since the epoch")
        .isBetween(System.currentTimeMillis() / 1000 - 30, System.currentTimeMillis() / 1000 + 1);
    String[] transfer = wm.showField("transfer", go.publicKey()).split("\t");
    assertThat(Long.parseLong(transfer[0])).as("received bytes").isPositive();
    assertThat(Long.parseLong(transfer[1])).as("sent bytes").isPositive();
    String show = wm.wg("show", wm.ifname());
    assertThat(show)
        .contains("interface: " + wm.ifname())
        .contains("public key: " + wm.publicKey())
        .contains("listening port: " + portJ)
        .contains("peer: " + go.publicKey())
        .contains("latest handshake:")
        .contains("transfer:")
        .doesNotContain(wm.privateKey());
  }

  @Test
  void showconfThenSetconfRoundTrips() throws Exception {
    String psk = Netns.run("wg", "genpsk").strip();
    Path pskFile = Files.createTempFile("psk", ".key");
    Files.writeString(pskFile, psk + "\n");
    try {
      wm.wg(
          "set",
          wm.ifname(),
          "fwmark",
          "0x1234",
          "peer",
          go.publicKey(),
          "preshared-key",
          pskFile.toString(),
          "endpoint",
          OUTER_G4 + ":" + portG,
          "persistent-keepalive",
          "25",
          "allowed-ips",
          G4 + "/32,10.50.0.0/16,fd00:9::2/128");
    } finally {
      Files.deleteIfExists(pskFile);
    }
    String conf = wm.wg("showconf", wm.ifname());
    assertThat(conf)
        .contains("PrivateKey = " + wm.privateKey())
        .contains("PresharedKey = " + psk)
        .contains("FwMark = 0x1234")
        .contains("PersistentKeepalive = 25");
    Path f = Files.createTempFile("wm", ".conf");
    try {
      Files.writeString(f, conf);
      wm.wg("setconf", wm.ifname(), f.toString());
      assertThat(wm.wg("showconf", wm.ifname())).isEqualTo(conf);
      wm.wg("set", wm.ifname(), "peer", go.publicKey(), "remove");
      assertThat(wm.wg("showconf", wm.ifname())).doesNotContain(go.publicKey());
      wm.wg("setconf", wm.ifname(), f.toString());
      assertThat(wm.wg("showconf", wm.ifname())).isEqualTo(conf);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Test
  void aThousandPeersAreSetAndListed() throws Exception {
    StringBuilder conf =
        new StringBuilder(
            "[Interface]\nPrivateKey = " + wm.privateKey() + "\nListenPort = " + portJ + "\n");
    byte[] key = new byte[32];
    for (int i = 0; i < 1000; i++) {
      ThreadLocalRandom.current().nextBytes(key);
      conf.append("\n[Peer]\nPublicKey = ")
          .append(Base64.getEncoder().encodeToString(key))
          .append("\nAllowedIPs = 10.")
          .append(100 + i / 250)
          .append('.')
          .append(i % 250)
          .append(".0/24\n")
          .append("Endpoint = 192.0.2.")
          .append(10 + i % 200)
          .append(":")
          .append(40000 + i)
          .append('\n');
    }
    Path f = Files.createTempFile("wm", ".conf");
    try {
      Files.writeString(f, conf);
      // Timing belongs to the benchmarks (docs/performance.md), not to a test on a shared machine.
      wm.wg("setconf", wm.ifname(), f.toString());
      String dump = wm.wg("show", wm.ifname(), "dump");
      assertThat(dump.strip().split("\n")).hasSize(1001);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @Test
  void badUapiInputGetsAnErrnoAndTheDeviceKeepsWorking() {
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).isTrue();
    String sock = wm.socket().toString();
    assertThat(uapi(sock, "set=1\\nno_such_key=1\\n\\n")).contains("errno=-22");
    assertThat(uapi(sock, "set=1\\nlisten_port=notaport\\n\\n")).contains("errno=-22");
    assertThat(uapi(sock, "set=1\\npublic_key=" + "zz".repeat(32) + "\\n\\n"))
        .contains("errno=-22");
    assertThat(uapi(sock, "set=1\\nthis line has no equals sign\\n\\n"))
        .containsPattern("errno=-[0-9]+");
    assertThat(uapi(sock, "set=1\\npersistent_keepalive_interval=5\\n\\n"))
        .as("a peer key before any public_key")
        .contains("errno=-22");
    assertThat(uapi(sock, "get=1\\n\\n")).contains("listen_port=" + portJ).endsWith("errno=0\n\n");
    assertThat(wm.ping(G4, PING)).as("still passes traffic").isTrue();
    assertThat(wm.wg("show", wm.ifname(), "listen-port").strip()).isEqualTo(String.valueOf(portJ));
  }

  private String uapi(String socket, String request) {
    return nsJ.exec("sh", "-c", "printf '" + request + "' | socat -t 2 - UNIX-CONNECT:" + socket);
  }

  @Test
  void theSocketIsRootOnlyAndAStaleSocketFileIsReplaced() throws Exception {
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(wm.socket())))
        .isEqualTo("rw-------");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(wm.socket().getParent())))
        .isEqualTo("rwxr-xr-x");
    // A socket file that nobody answers on, as a crashed daemon leaves behind.
    String stale =
        "wms" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16, 1 << 20));
    Path staleSocket = wm.socket().resolveSibling(stale + ".sock");
    try (var ch =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.bind(java.net.UnixDomainSocketAddress.of(staleSocket));
    }
    assertThat(staleSocket).exists();
    WgNode node = WgNode.start(nsJ, WgNode.JAVA_IMPL, stale);
    try {
      assertThat(node.wg("show", stale, "public-key").strip()).isEqualTo(node.publicKey());
    } finally {
      node.delete();
    }
  }

  @Test
  void deletingTheInterfaceEndsTheDaemonAndRemovesTheSocket() {
    Path sock = wm.socket();
    assertThat(sock).exists();
    wm.delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sock).doesNotExist());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                nsJ.tryExec(
                            Duration.ofSeconds(2),
                            "pgrep",
                            "-f",
                            "cli.Main --foreground " + wm.ifname())
                        .status()
                    != 0);
    wm = null;
  }

  @Test
  void aSecondDaemonOnTheSameInterfaceFailsWithOneClearLine() {
    Netns.Result r = nsJ.tryExec(Duration.ofSeconds(30), WgNode.JAVA_IMPL, wm.ifname());
    assertThat(r.status()).isNotZero();
    assertThat(r.output().strip().lines()).hasSize(1);
    assertThat(r.output()).contains(wm.ifname());
    assertThat(wm.wg("show", wm.ifname(), "listen-port").strip())
        .as("the first one still answers")
        .isEqualTo(String.valueOf(portJ));
  }

  @Test
  void notRootFailsWithOneClearLine() {
    Netns.Result r =
        nsJ.tryExec(
            Duration.ofSeconds(30),
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            WgNode.JAVA_IMPL,
            "wmx" + wm.ifname().substring(3));
    assertThat(r.status()).isNotZero();
    assertThat(r.output().strip().lines()).as(r.output()).hasSize(1);
  }
}
