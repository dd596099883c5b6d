package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.Encryption;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.MeshNode;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.e2e.localmesh.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Encryption Required on the local mesh (docs/encryption.md): plaintext to a member's tunnel
 * address is dropped on the sending node — through a wrong route, with the WireGuard interface
 * down, or with the agent stopped — the drop counter shows it, the rules outlive the agent, and
 * Preferred removes them from every node. Needs root and nft.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptionRequiredIT implements KeyScanned {
  static final Duration UP = Duration.ofSeconds(120);
  static final String TABLE = "wiremesh-mesh";
  static LocalMesh mesh;
  static KeyScan keyScan;
  static MeshNode n1;
  static MeshNode n2;
  static String n2Tunnel;
  static String n1Tunnel;

  @BeforeAll
  static void start() throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path state = Files.createTempDirectory("wiremesh-encryption-it");
    mesh =
        LocalMesh.start(
            new LocalMesh.Options(
                home, state, 3, "wme", "172.30.98", 0, Duration.ofSeconds(3), true));
    keyScan = KeyScan.watch(mesh);
    PingMatrix m = mesh.awaitUp(UP);
    assertThat(m.complete()).as(m.render()).isTrue();
    n1 = mesh.nodes().get(0);
    n2 = mesh.nodes().get(1);
    n1Tunnel = ipv4TunnelAddress(n1.name());
    n2Tunnel = ipv4TunnelAddress(n2.name());
  }

  @AfterAll
  static void stop() {
    KeyScan.close(keyScan, mesh);
  }

  @Override
  public KeyScan keyScan() {
    return keyScan;
  }

  static String ipv4TunnelAddress(String node) {
    return mesh.tunnelAddresses().entrySet().stream()
        .filter(e -> e.getValue().equals(node) && !e.getKey().contains(":"))
        .map(java.util.Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }

  static void setEncryption(Encryption e) {
    mesh.client()
        .resources(WireGuardMesh.class)
        .withName("mesh")
        .edit(
            m -> {
              m.getSpec().setEncryption(e);
              return m;
            });
  }

  static boolean hasTable(MeshNode n) {
    return Sh.tryRun(Sh.inNetns(n.netns(), "nft", "list", "table", "inet", TABLE)).exit() == 0;
  }

  /** The table's drop counter, read from nft itself (it outlives the agent). */
  static long dropped(MeshNode n) {
    String out =
        Sh.run(Sh.inNetns(n.netns(), "nft", "list", "counter", "inet", TABLE, "plaintext_dropped"));
    var m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Long.parseLong(m.group(1));
  }

  static boolean ping(MeshNode from, String to) {
    return PingMatrix.ping(from.netns(), to, 1);
  }

  /** The API server answers (the operator's address, which every rule set exempts). */
  static void apiServerAnswers() {
    assertThat(mesh.client().resources(WireGuardMesh.class).list().getItems()).hasSize(1);
  }

  /**
   * Node-1 sends to node-2's tunnel address over the bridge (a policy route, as a mistake would).
   */
  static void wrongRoute(boolean add) {
    String verb = add ? "add" : "del";
    Sh.run(
        Sh.inNetns(
            n1.netns(), "ip", "route", verb, n2Tunnel + "/32", "via", n2.address(), "table", "77"));
    Sh.run(Sh.inNetns(n1.netns(), "ip", "rule", verb, "to", n2Tunnel + "/32", "lookup", "77"));
  }

  /** Plaintext to or from the mesh's tunnel networks (WireGuard's own packets go between nodes). */
  static final String PLAINTEXT = "net 10.100.0.0/16 or net fd00:100::/64";

  /** What crosses node {@code n}'s wire in the clear while {@code traffic} runs. */
  static List<String> plaintextOnTheWireOf(MeshNode n, MeshNode markerTo, Runnable traffic)
      throws Exception {
    return BridgeCapture.during(
        mesh.network().bridgePort(n.index()), PLAINTEXT, n.netns(), markerTo.address(), traffic);
  }

  @Test
  @Order(1)
  void withPreferredAWrongRouteSendsPlaintextOverTheBridge() throws Exception {
    // The control: without the rules, the same mistake puts the traffic on the wire in the clear,
    // and the capture sees it.
    assertThat(mesh.nodes()).noneMatch(EncryptionRequiredIT::hasTable);
    wrongRoute(true);
    try {
      List<String> seen = plaintextOnTheWireOf(n1, n2, () -> ping(n1, n2Tunnel));
      assertThat(seen).as("ICMP to %s in the clear", n2Tunnel).anyMatch(l -> l.contains(n2Tunnel));
    } finally {
      wrongRoute(false);
    }
  }

  @Test
  @Order(2)
  void requiredInstallsTheRulesOnEveryNodeAndTheMeshSaysSo() {
    setEncryption(Encryption.Required);
    await()
        .atMost(UP)
        .untilAsserted(
            () -> {
              assertThat(mesh.nodes()).allMatch(EncryptionRequiredIT::hasTable);
              WireGuardMesh m = mesh.client().resources(WireGuardMesh.class).withName("mesh").get();
              assertThat(m.getStatus().getEncryption()).isEqualTo("Enforced");
              assertThat(m.getStatus().getEnforcedNodes()).isEqualTo(3);
              for (WireGuardPeer p : mesh.peers()) {
                if (!p.getSpec().isExternal()) {
                  assertThat(p.getStatus().getConditions())
                      .anySatisfy(
                          c -> {
                            assertThat(c.getType()).isEqualTo("EncryptionEnforced");
                            assertThat(c.getStatus()).isEqualTo("True");
                          });
                }
              }
            });
    String rules = Sh.run(Sh.inNetns(n1.netns(), "nft", "list", "table", "inet", TABLE));
    assertThat(rules)
        .as("the API server is exempt")
        .contains("ip daddr 127.0.0.1 tcp dport " + mesh.api().port() + " accept");
    PingMatrix m = mesh.pingMatrix();
    assertThat(m.complete()).as("the tunnels still carry everything: " + m.render()).isTrue();
    apiServerAnswers();
  }

  @Test
  @Order(3)
  void aWrongRouteOverTheBridgeCarriesNothingAndTheCounterRises() throws Exception {
    long before = dropped(n1);
    double metricBefore = mesh.agentMetric(n1.name(), "wiremesh_plaintext_dropped_packets_total");
    wrongRoute(true);
    try {
      List<String> seen =
          plaintextOnTheWireOf(
              n1,
              n2,
              () ->
                  assertThat(ping(n1, n2Tunnel))
                      .as("nothing arrives over the wrong route")
                      .isFalse());
      assertThat(seen).as("nothing leaves node-1 in the clear").isEmpty();
    } finally {
      wrongRoute(false);
    }
    assertThat(dropped(n1)).isGreaterThan(before);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(mesh.agentMetric(n1.name(), "wiremesh_plaintext_dropped_packets_total"))
                    .isGreaterThan(metricBefore));
    assertThat(ping(n1, n2Tunnel)).as("through the tunnel again").isTrue();
    apiServerAnswers();
  }

  @Test
  @Order(4)
  void plaintextArrivingFromAMemberOutsideTheTunnelIsDroppedAndCounted() throws Exception {
    // Node-1's own rules would stop it from sending this: the frame goes out through a packet
    // socket, which no firewall of node-1 sees, as from a member without rules (or an impostor
    // on the wire). It carries node-1's address to node-2's tunnel address.
    byte[] frame =
        PlaintextFrame.udp(
            mac(n1), mac(n2), n1.address(), n2Tunnel, 40000, 9, "plaintext from node-1");
    long before = dropped(n2);
    List<String> seen =
        plaintextOnTheWireOf(
            n2,
            n1,
            () -> {
              for (int i = 0; i < 3; i++) {
                PlaintextFrame.send(n1.netns(), "eth0", frame);
              }
            });
    assertThat(seen)
        .as("the plaintext reached node-2's wire")
        .anyMatch(l -> l.contains(n1.address() + ".40000 > " + n2Tunnel + ".9: UDP"));
    assertThat(dropped(n2)).as("node-2 dropped what arrived").isGreaterThanOrEqualTo(before + 3);
    apiServerAnswers();
  }

  static String mac(MeshNode n) {
    String link = Sh.run("ip", "-n", n.netns(), "-o", "link", "show", "eth0");
    var m = java.util.regex.Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(link);
    assertThat(m.find()).as(link).isTrue();
    return m.group(1);
  }

  /** Node-2's fallback for the tunnel network over the bridge, as a default route would be. */
  static void fallbackRoute(boolean add) {
    Sh.run(
        Sh.inNetns(
            n2.netns(),
            "ip",
            "route",
            add ? "add" : "del",
            "10.100.0.0/16",
            "via",
            n1.address(),
            "metric",
            "1000"));
  }

  @Test
  @Order(5)
  void withTheWireGuardInterfaceDownNothingGoesInTheClear() throws Exception {
    fallbackRoute(true);
    Sh.run(Sh.inNetns(n2.netns(), "ip", "link", "set", "wm0", "down"));
    long before = dropped(n2);
    List<String> seen =
        plaintextOnTheWireOf(
            n2,
            n1,
            () -> {
              assertThat(ping(n2, n1Tunnel)).as("node-2 to node-1").isFalse();
              assertThat(ping(n1, n2Tunnel)).as("node-1 to node-2").isFalse();
            });
    assertThat(seen).as("nothing crosses node-2's wire in the clear, its tunnel down").isEmpty();
    assertThat(dropped(n2)).as("node-2 dropped its own plaintext").isGreaterThan(before);
    Sh.run(Sh.inNetns(n2.netns(), "ip", "link", "set", "wm0", "up"));
    apiServerAnswers();
  }

  @Test
  @Order(6)
  void withTheAgentStoppedTheRulesStayAndNothingPassesInPlaintext() throws Exception {
    n2.agent().stop(); // SIGTERM: the agent shuts down as it would on a rollout
    try {
      assertThat(hasTable(n2)).as("the rules outlive the agent").isTrue();
      long before = dropped(n2);
      assertThat(ping(n2, n1Tunnel)).isFalse();
      assertThat(dropped(n2)).isGreaterThan(before);
      apiServerAnswers();
    } finally {
      n2.agent().start();
      fallbackRoute(false);
    }
    PingMatrix m = mesh.awaitUp(UP);
    assertThat(m.complete()).as(m.render()).isTrue();
    assertThat(hasTable(n2)).isTrue();
  }

  @Test
  @Order(7)
  void backToPreferredTheTableIsGoneOnEveryNode() throws IOException {
    setEncryption(Encryption.Preferred);
    await()
        .atMost(UP)
        .untilAsserted(
            () -> {
              assertThat(mesh.nodes()).noneMatch(EncryptionRequiredIT::hasTable);
              assertThat(
                      mesh.client()
                          .resources(WireGuardMesh.class)
                          .withName("mesh")
                          .get()
                          .getStatus()
                          .getEncryption())
                  .isEqualTo("Preferred");
            });
    PingMatrix m = mesh.pingMatrix();
    assertThat(m.complete()).as(m.render()).isTrue();
    apiServerAnswers();
  }

  @Test
  @Order(8)
  void deletingTheMeshRemovesItsTableOnEveryNodeAndNoOtherTable() {
    setEncryption(Encryption.Required);
    await().atMost(UP).until(() -> mesh.nodes().stream().allMatch(EncryptionRequiredIT::hasTable));
    // Another firewall's table on the same node, in the same family.
    Sh.run(Sh.inNetns(n1.netns(), "nft", "add", "table", "inet", "other-firewall"));
    Sh.run(
        Sh.inNetns(
            n1.netns(),
            "nft",
            "add chain inet other-firewall input { type filter hook input priority 10; }"));
    try {
      mesh.client().resources(WireGuardMesh.class).withName("mesh").delete();
      await()
          .atMost(UP)
          .untilAsserted(
              () -> {
                assertThat(mesh.client().resources(WireGuardMesh.class).list().getItems())
                    .isEmpty();
                assertThat(mesh.nodes()).noneMatch(EncryptionRequiredIT::hasTable);
              });
      assertThat(Sh.run(Sh.inNetns(n1.netns(), "nft", "list", "tables")))
          .as("only WireMesh's table went")
          .contains("table inet other-firewall");
    } finally {
      Sh.tryRun(Sh.inNetns(n1.netns(), "nft", "delete", "table", "inet", "other-firewall"));
    }
  }
}
