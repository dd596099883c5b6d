package dev.wiremesh.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.SecretKeyRef;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import dev.wiremesh.operator.agent.FakeAgent;
import dev.wiremesh.planner.topology.WgQuickConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator against the Fabric8 mock API server (CRUD mode) with every agent faked over HTTPS.
 * Each scenario has its own mesh, selecting its own nodes by label, so scenarios do not interfere.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeshReconcilerTest {

  static final Duration CONVERGE = Duration.ofSeconds(30);

  @Inject KubernetesClient client;
  @Inject AgentBeans agentBeans;
  @Inject MeshSync meshSync;

  TestCluster cluster;

  @BeforeAll
  void cluster() {
    cluster = new TestCluster(client);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  void mesh(String name, String pool, boolean gatewayLabel) {
    WireGuardMesh mesh = new WireGuardMesh();
    mesh.setMetadata(new ObjectMetaBuilder().withName(name).build());
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setAddressPools(List.of(pool));
    spec.setPersistentKeepalive(25);
    spec.setNodeSelector(new LabelSelectorBuilder().addToMatchLabels("mesh", name).build());
    if (gatewayLabel) {
      spec.setGatewaySelector(
          new LabelSelectorBuilder().addToMatchLabels("gateway", "true").build());
    }
    mesh.setSpec(spec);
    client.resource(mesh).create();
  }

  FakeAgent node(String mesh, String name, int index, boolean gateway) throws Exception {
    return cluster.addNode(
        name, gateway ? Map.of("mesh", mesh, "gateway", "true") : Map.of("mesh", mesh), index);
  }

  WireGuardPeer peer(String name) {
    return client.resources(WireGuardPeer.class).withName(name).get();
  }

  String address(String peer) {
    WireGuardPeer p = peer(peer);
    return p == null || p.getStatus() == null ? null : p.getStatus().getAddress();
  }

  boolean condition(String peer, String type) {
    WireGuardPeer p = peer(peer);
    return p != null
        && p.getStatus() != null
        && Conditions.isTrue(p.getStatus().getConditions(), type);
  }

  String key(String node) {
    return cluster.keys.get(node);
  }

  void awaitConverged(String mesh, String... nodes) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              for (String n : nodes) {
                assertThat(condition(mesh + "-" + n, "Ready")).as(n + " Ready").isTrue();
                List<String> others =
                    java.util.Arrays.stream(nodes)
                        .filter(o -> !o.equals(n))
                        .map(this::key)
                        .sorted()
                        .toList();
                assertThat(cluster.agents.get(n).peerKeys()).as(n + " peers").containsAll(others);
              }
            });
  }

  @Test
  void aNodeJoinsItsPeerExistsGetsAnAddressAndEveryAgentGetsIt() throws Exception {
    mesh("join", "10.1.0.0/24", false);
    node("join", "join-a", 11, false);
    node("join", "join-b", 12, false);
    awaitConverged("join", "join-a", "join-b");

    FakeAgent c = node("join", "join-c", 13, false);
    awaitConverged("join", "join-a", "join-b", "join-c");
    WireGuardPeer peer = peer("join-join-c");
    assertThat(peer.getSpec().getNode()).isEqualTo("join-c");
    assertThat(peer.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Node/join-c"));
    assertThat(peer.getStatus().getPublicKey()).isEqualTo(key("join-c"));
    assertThat(peer.getStatus().getEndpoint()).isEqualTo("192.168.1.13:51820");
    assertThat(List.of(address("join-join-a"), address("join-join-b"), address("join-join-c")))
        .containsExactlyInAnyOrder("10.1.0.1", "10.1.0.2", "10.1.0.3");
    assertThat(peer.getStatus().getAddresses())
        .as("the same addresses as a list, for programs")
        .containsExactly(peer.getStatus().getAddress());
    PeerConfig cOnA =
        cluster.agents.get("join-a").current().peers().stream()
            .filter(p -> p.publicKey().equals(key("join-c")))
            .findFirst()
            .orElseThrow();
    assertThat(cOnA.allowedIPs()).containsExactly(address("join-join-c") + "/32");
    assertThat(cOnA.endpoint()).isEqualTo("192.168.1.13:51820");
    assertThat(cOnA.persistentKeepalive()).isEqualTo(25);
    assertThat(c.current().addresses()).containsExactly(address("join-join-c") + "/24");

    // Handshakes reported by the agents turn Connected on, and the mesh sums it up.
    cluster.agents.values().forEach(a -> a.handshakes(Instant.now().getEpochSecond()));
    await().atMost(CONVERGE).until(() -> condition("join-join-a", "Connected"));
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              var s = client.resources(WireGuardMesh.class).withName("join").get().getStatus();
              assertThat(s.getNodes()).isEqualTo(3);
              assertThat(s.getReadyNodes()).isEqualTo(3);
              assertThat(s.getObservedGeneration()).isEqualTo(1L);
              assertThat(Conditions.isTrue(s.getConditions(), "Ready")).isTrue();
            });
    assertThat(peer("join-join-a").getStatus().getLastHandshakeTime()).isNotNull();
    assertThat(peer("join-join-a").getStatus().getConnectedPeers()).isEqualTo(2);
    // Each tunnel of a node, by the peer at the other end, with what its agent reports.
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertThat(peer("join-join-a").getStatus().getConnections())
                    .extracting(
                        PeerConnection::getPeer,
                        x -> x.getLastHandshakeTime() != null,
                        PeerConnection::getRxBytes,
                        PeerConnection::getTxBytes)
                    .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("join-join-b", true, 100L, 200L),
                        org.assertj.core.groups.Tuple.tuple("join-join-c", true, 100L, 200L)));
  }

  @Test
  void aNodeLeavesAndItsPeerIsGoneFromEveryAgent() throws Exception {
    mesh("leave", "10.2.0.0/24", false);
    node("leave", "leave-a", 21, false);
    node("leave", "leave-b", 22, false);
    node("leave", "leave-c", 23, false);
    awaitConverged("leave", "leave-a", "leave-b", "leave-c");

    cluster.removeNode("leave-c");
    await().atMost(CONVERGE).until(() -> peer("leave-leave-c") == null);
    assertThat(cluster.agents.get("leave-a").peerKeys()).containsExactly(key("leave-b"));
    assertThat(cluster.agents.get("leave-b").peerKeys()).containsExactly(key("leave-a"));
  }

  @Test
  void anExternalPeerReachesTheGatewaysAndGetsItsConfigSecret() throws Exception {
    mesh("ext", "10.3.0.0/24", true);
    node("ext", "ext-gw", 31, true);
    node("ext", "ext-w", 32, false);
    awaitConverged("ext", "ext-gw", "ext-w");

    String psk = TestCluster.randomKey();
    client
        .secrets()
        .inNamespace("default")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("laptop-psk")
                .withNamespace("default")
                .endMetadata()
                .addToData("presharedKey", b64(psk))
                .build())
        .create();
    String laptopKey = TestCluster.randomKey();
    client
        .resource(
            external(
                "laptop",
                "ext",
                laptopKey,
                null,
                new SecretKeyRef("default", "laptop-psk", "presharedKey")))
        .create();

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(cluster.agents.get("ext-gw").peerKeys()).contains(laptopKey);
              assertThat(condition("laptop", "Ready")).isTrue();
            });
    assertThat(cluster.agents.get("ext-w").peerKeys()).doesNotContain(laptopKey);
    // A node that is not a gateway reaches the laptop through the gateway: its address lies in the
    // external peers' pool (the last quarter of a /24), which that entry holds as one prefix, and
    // the network behind it is added.
    assertThat(peerOn("ext-w", key("ext-gw")).allowedIPs())
        .containsExactly("10.3.0.1/32", "10.3.0.192/26", "192.168.77.0/24");
    PeerConfig onGw = peerOn("ext-gw", laptopKey);
    assertThat(onGw.presharedKey()).isEqualTo(psk);
    assertThat(onGw.allowedIPs()).containsExactly("10.3.0.193/32", "192.168.77.0/24");

    var ref = peer("laptop").getStatus().getConfigSecretRef();
    assertThat(ref.getNamespace() + "/" + ref.getName()).isEqualTo("wiremesh/wiremesh-peer-laptop");
    String conf =
        new String(
            Base64.getDecoder()
                .decode(
                    client
                        .secrets()
                        .inNamespace("wiremesh")
                        .withName("wiremesh-peer-laptop")
                        .get()
                        .getData()
                        .get("wg-quick.conf")),
            StandardCharsets.UTF_8);
    assertThat(conf)
        .contains("PrivateKey = " + WgQuickConfig.PRIVATE_KEY_PLACEHOLDER)
        .contains("Address = 10.3.0.193/32")
        .contains("PublicKey = " + key("ext-gw"))
        .contains("Endpoint = 192.168.1.31:51820")
        .contains("AllowedIPs = 10.3.0.0/24")
        .doesNotContain(key("ext-w"))
        .doesNotContain(psk);

    // The preshared key's Secret is watched: a new key reaches the gateway.
    String psk2 = TestCluster.randomKey();
    client
        .secrets()
        .inNamespace("default")
        .withName("laptop-psk")
        .edit(
            s -> {
              s.getData().put("presharedKey", b64(psk2));
              return s;
            });
    await().atMost(CONVERGE).until(() -> psk2.equals(peerOn("ext-gw", laptopKey).presharedKey()));

    // A preshared key that is not 32 bytes: InvalidSpec naming the field, and it leaves the agents.
    client
        .secrets()
        .inNamespace("default")
        .withName("laptop-psk")
        .edit(
            s -> {
              s.getData().put("presharedKey", b64("short"));
              return s;
            });
    await().atMost(CONVERGE).until(() -> condition("laptop", "InvalidSpec"));
    assertThat(peer("laptop").getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("InvalidSpec"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .contains("spec.presharedKeySecretRef")
                    .contains("default/laptop-psk")
                    .doesNotContain("short"));
    await()
        .atMost(CONVERGE)
        .until(() -> !cluster.agents.get("ext-gw").peerKeys().contains(laptopKey));
  }

  @Test
  void aConflictingAddressGetsAConditionAndNothingIsPushed() throws Exception {
    mesh("conflict", "10.4.0.0/24", false);
    node("conflict", "conflict-a", 41, false);
    node("conflict", "conflict-b", 42, false);
    awaitConverged("conflict", "conflict-a", "conflict-b");
    String taken = address("conflict-conflict-a");
    cluster.agents.values().forEach(FakeAgent::clearWrites);

    String key = TestCluster.randomKey();
    client.resource(external("squatter", "conflict", key, taken, null)).create();
    await().atMost(CONVERGE).until(() -> condition("squatter", "AddressConflict"));
    assertThat(peer("squatter").getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("AddressConflict"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .isEqualTo(
                        "address " + taken + " is already assigned to peer conflict-conflict-a"));
    assertThat(condition("squatter", "Ready")).isFalse();
    assertThat(peer("squatter").getStatus().getAddress()).isNull();
    assertThat(address("conflict-conflict-a")).isEqualTo(taken);
    for (String n : List.of("conflict-a", "conflict-b")) {
      assertThat(cluster.agents.get(n).writes()).isEmpty();
      assertThat(cluster.agents.get(n).peerKeys()).doesNotContain(key);
    }
  }

  @Test
  void anOperatorRestartKeepsTheAddressesAndPushesNothing() throws Exception {
    mesh("restart", "10.5.0.0/24", false);
    node("restart", "restart-a", 51, false);
    node("restart", "restart-b", 52, false);
    awaitConverged("restart", "restart-a", "restart-b");
    String a = address("restart-restart-a");
    String b = address("restart-restart-b");
    cluster.agents.values().forEach(FakeAgent::clearWrites);

    // What a restart loses: everything in memory (held hashes, identities, the PKI material).
    agentBeans.reset();
    meshSync.reset();
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                agentBeans.pusher().heldHash("restart-a").isPresent()
                    && agentBeans.pusher().heldHash("restart-b").isPresent());
    assertThat(address("restart-restart-a")).isEqualTo(a);
    assertThat(address("restart-restart-b")).isEqualTo(b);
    assertThat(cluster.agents.get("restart-a").writes()).isEmpty();
    assertThat(cluster.agents.get("restart-b").writes()).isEmpty();
  }

  @Test
  void aDownAgentDoesNotHoldUpTheOthersAndIsCaughtUpWhenBack() throws Exception {
    mesh("down", "10.6.0.0/24", false);
    node("down", "down-a", 61, false);
    FakeAgent b = node("down", "down-b", 62, false);
    awaitConverged("down", "down-a", "down-b");

    b.down();
    node("down", "down-c", 63, false);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(cluster.agents.get("down-a").peerKeys()).contains(key("down-c"));
              assertThat(cluster.agents.get("down-c").peerKeys())
                  .contains(key("down-a"), key("down-b"));
            });
    assertThat(b.peerKeys()).doesNotContain(key("down-c"));

    b.up();
    awaitConverged("down", "down-a", "down-b", "down-c");
  }

  /**
   * A node cut off (its agent does not answer the status poll): its peer turns Connected=False
   * saying the agent is unreachable (not that its handshakes are old, which nobody can know), the
   * other node, whose handshake with it is still recent, stays Connected; both again once back.
   */
  @Test
  void aNodeWhoseAgentDoesNotAnswerIsNotConnectedAndSaysWhy() throws Exception {
    mesh("cut", "10.9.0.0/24", false);
    FakeAgent a = node("cut", "cut-a", 91, false);
    FakeAgent b = node("cut", "cut-b", 92, false);
    awaitConverged("cut", "cut-a", "cut-b");
    a.handshakes(Instant.now().getEpochSecond());
    b.handshakes(Instant.now().getEpochSecond());
    await()
        .atMost(CONVERGE)
        .until(() -> condition("cut-cut-a", "Connected") && condition("cut-cut-b", "Connected"));

    b.down();
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              var c = connected("cut-cut-b");
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("AgentUnreachable");
              assertThat(c.getMessage())
                  .contains("the agent on node cut-b did not answer the status poll");
            });
    assertThat(condition("cut-cut-a", "Connected"))
        .as("a's handshake with b is recent: a stays Connected")
        .isTrue();

    b.up();
    await().atMost(CONVERGE).until(() -> condition("cut-cut-b", "Connected"));
  }

  /**
   * A gateway whose laptop is offline is still Connected: its tunnels to the other nodes decide it.
   * The laptop's own WireGuardPeer says that it has no recent handshake.
   */
  @Test
  void aGatewayWithAnOfflineExternalPeerStaysConnectedAndTheExternalPeerSaysWhy() throws Exception {
    mesh("idle", "10.7.0.0/24", true);
    FakeAgent gw = node("idle", "idle-gw", 71, true);
    FakeAgent w = node("idle", "idle-w", 72, false);
    awaitConverged("idle", "idle-gw", "idle-w");
    String laptopKey = TestCluster.randomKey();
    client.resource(external("offline-laptop", "idle", laptopKey, null, null)).create();
    await().atMost(CONVERGE).until(() -> gw.peerKeys().contains(laptopKey));

    long now = Instant.now().getEpochSecond();
    gw.handshakes(now);
    w.handshakes(now);
    gw.handshake(laptopKey, 0);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(connected("idle-idle-gw").getStatus()).isEqualTo("True");
              assertThat(connected("idle-idle-gw").getMessage())
                  .isEqualTo(
                      "1 of 1 node peer(s) with a handshake in the last 180s (its 1 external"
                          + " peer(s) are reported on their own WireGuardPeer)");
              assertThat(connected("idle-idle-w").getStatus()).isEqualTo("True");
              Condition laptop = connected("offline-laptop");
              assertThat(laptop.getStatus()).isEqualTo("False");
              assertThat(laptop.getReason()).isEqualTo("NoRecentHandshake");
              assertThat(laptop.getMessage())
                  .isEqualTo("0 of 1 gateway(s) with a handshake in the last 180s");
            });
    assertThat(peer("idle-idle-gw").getStatus().getTotalPeers())
        .as("the gateway's tunnels, the laptop's included")
        .isEqualTo(2);
    assertThat(peer("idle-idle-gw").getStatus().getConnectedPeers()).isEqualTo(1);

    // A node tunnel without a recent handshake still turns the gateway's Connected off.
    gw.handshake(key("idle-w"), 0);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(connected("idle-idle-gw").getStatus()).isEqualTo("False");
              assertThat(connected("idle-idle-gw").getMessage())
                  .startsWith("0 of 1 node peer(s) with a handshake in the last 180s");
            });
  }

  private Condition connected(String peer) {
    return peer(peer).getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Connected"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aNodeWhoseAgentIsAwayKeepsItsPlaceInTheOthersConfigsUntilItReturns() throws Exception {
    mesh("away", "10.8.0.0/24", false);
    node("away", "away-a", 81, false);
    FakeAgent b = node("away", "away-b", 82, false);
    awaitConverged("away", "away-a", "away-b");

    // b's agent Pod is gone for a while (a rolling update, a crash loop): its node stays.
    client.pods().inNamespace(TestCluster.NAMESPACE).withName("agent-away-b").delete();
    node("away", "away-c", 83, false);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              assertThat(cluster.agents.get("away-a").peerKeys())
                  .as("a keeps b, and gets the newcomer")
                  .contains(key("away-b"), key("away-c"));
              assertThat(cluster.agents.get("away-c").peerKeys())
                  .as("the newcomer gets b under the identity b reported last")
                  .contains(key("away-a"), key("away-b"));
              assertThat(condition("away-away-b", "Ready"))
                  .as("b's peer is not applied on b itself")
                  .isFalse();
            });
    assertThat(b.peerKeys()).doesNotContain(key("away-c"));

    client
        .pods()
        .inNamespace(TestCluster.NAMESPACE)
        .resource(TestCluster.agentPod("away-b", b.port()))
        .create();
    awaitConverged("away", "away-a", "away-b", "away-c");
  }

  @Test
  void aDeletedPeerLeavesEveryAgentBeforeItsFinalizerGoes() throws Exception {
    mesh("fin", "10.7.0.0/24", false);
    node("fin", "fin-a", 71, false);
    FakeAgent b = node("fin", "fin-b", 72, false);
    awaitConverged("fin", "fin-a", "fin-b");
    String key = TestCluster.randomKey();
    client.resource(external("phone", "fin", key, null, null)).create();
    await().atMost(CONVERGE).until(() -> b.peerKeys().contains(key) && condition("phone", "Ready"));
    assertThat(peer("phone").getMetadata().getFinalizers()).isNotEmpty();

    // One gateway is down: the peer leaves the other, but the resource stays until both dropped it.
    b.down();
    client.resources(WireGuardPeer.class).withName("phone").delete();
    await().atMost(CONVERGE).until(() -> !cluster.agents.get("fin-a").peerKeys().contains(key));
    assertThat(peer("phone")).isNotNull();
    assertThat(peer("phone").getMetadata().getDeletionTimestamp()).isNotNull();
    b.up();
    await().atMost(CONVERGE).until(() -> peer("phone") == null);
    assertThat(b.peerKeys()).doesNotContain(key);
  }

  @Test
  void aPoolTheSchemaCannotRejectIsReportedAsInvalidSpec() {
    // isCIDR accepts host bits; the operator does not guess which network was meant.
    mesh("badpool", "10.8.0.1/24", false);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              var s = client.resources(WireGuardMesh.class).withName("badpool").get().getStatus();
              assertThat(s).isNotNull();
              assertThat(s.getConditions())
                  .filteredOn(c -> c.getType().equals("Degraded"))
                  .singleElement()
                  .satisfies(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo("True");
                        assertThat(c.getReason()).isEqualTo("InvalidSpec");
                        assertThat(c.getMessage())
                            .isEqualTo(
                                "spec.addressPools: '10.8.0.1/24' has host bits set: the network is"
                                    + " 10.8.0.0/24");
                      });
            });
  }

  PeerConfig peerOn(String node, String key) {
    return cluster.agents.get(node).current().peers().stream()
        .filter(p -> p.publicKey().equals(key))
        .findFirst()
        .orElse(null);
  }

  static WireGuardPeer external(
      String name, String mesh, String key, String address, SecretKeyRef psk) {
    WireGuardPeer p = new WireGuardPeer();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    WireGuardPeerSpec spec = new WireGuardPeerSpec();
    spec.setMesh(mesh);
    spec.setPublicKey(key);
    spec.setAddress(address);
    spec.setAllowedIPs(List.of("192.168.77.0/24"));
    spec.setPresharedKeySecretRef(psk);
    p.setSpec(spec);
    return p;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
