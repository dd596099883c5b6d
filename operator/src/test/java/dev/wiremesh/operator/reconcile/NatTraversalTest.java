package dev.wiremesh.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.agent.FakeAgent;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * NAT traversal through the real reconciler, agents faked with a model of the network: nat-1 is
 * reachable, nat-2 and nat-3 sit behind NATs that nat-1 sees at their public endpoints; whether
 * nat-2 and nat-3 reach each other directly is the test's switch. nat-3 also lies: it reports nat-2
 * at an address of its choosing, without a session. Attempt and settle times are 3s in the test
 * profile. Between the two, the operator restarts (its memory gone) while the pair is relayed.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatTraversalTest {
  static final Duration WITHIN = Duration.ofSeconds(30);
  static final Map<String, String> PUBLIC =
      Map.of(
          "nat-1", "192.168.1.121:51820",
          "nat-2", "198.51.100.2:40002",
          "nat-3", "198.51.100.3:40003");
  static final String LIE = "203.0.113.66:1";
  static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Inject KubernetesClient client;
  @Inject AgentBeans agentBeans;
  @Inject MeshSync meshSync;
  TestCluster cluster;
  final AtomicBoolean direct23 = new AtomicBoolean(false);
  final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();

  @BeforeAll
  void cluster() {
    cluster = new TestCluster(client);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  String nodeOf(String key) {
    return cluster.keys.entrySet().stream()
        .filter(e -> e.getValue().equals(key))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  boolean session(String x, String y) {
    return x.equals("nat-1") || y.equals("nat-1") || direct23.get();
  }

  /** What node {@code x}'s agent reports, from the model. */
  String status(String x, FakeAgent agent) {
    DeviceConfig c = agent.current();
    long now = Instant.now().getEpochSecond();
    List<PeerStatus> peers = new ArrayList<>();
    if (c != null) {
      for (PeerConfig p : c.peers()) {
        String y = nodeOf(p.publicKey());
        if (y != null && session(x, y)) {
          peers.add(new PeerStatus(p.publicKey(), PUBLIC.get(y), now, 10, 10, null, now));
        } else if (x.equals("nat-3") && "nat-2".equals(y)) {
          peers.add(new PeerStatus(p.publicKey(), LIE, now, 10, 10, null, now));
        } else {
          peers.add(new PeerStatus(p.publicKey(), p.endpoint(), 0, 0, 0, null, null));
        }
      }
    }
    try {
      return JSON.writeValueAsString(
          new DeviceStatus(agent.appliedHash(), cluster.keys.get(x), 51820, peers));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  PeerConfig entry(String node, String other) {
    DeviceConfig c = cluster.agents.get(node).current();
    assertThat(c).as(node + " configured").isNotNull();
    var found =
        c.peers().stream().filter(p -> p.publicKey().equals(cluster.keys.get(other))).findFirst();
    assertThat(found).as(node + " holds " + other).isPresent();
    return found.get();
  }

  PeerConnection connection(String node, String other) {
    WireGuardPeer p = client.resources(WireGuardPeer.class).withName("nat-" + node).get();
    assertThat(p.getStatus()).isNotNull();
    assertThat(p.getStatus().getConnections()).isNotNull();
    var found =
        p.getStatus().getConnections().stream()
            .filter(c -> ("nat-" + other).equals(c.getPeer()))
            .findFirst();
    assertThat(found).as(node + "'s connection to " + other).isPresent();
    return found.get();
  }

  WireGuardMesh mesh() {
    return client.resources(WireGuardMesh.class).withName("nat").get();
  }

  @Test
  void natedNodesArePublishedRelayedWithoutADirectPathAndDirectOnceTheyHearEachOther()
      throws Exception {
    WireGuardMesh mesh = new WireGuardMesh();
    mesh.setMetadata(new ObjectMetaBuilder().withName("nat").build());
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setAddressPools(List.of("10.32.0.0/24"));
    spec.setNodeSelector(new LabelSelectorBuilder().addToMatchLabels("mesh", "nat").build());
    mesh.setSpec(spec);
    client.resource(mesh).create();
    for (int i = 1; i <= 3; i++) {
      String name = "nat-" + i;
      FakeAgent a = cluster.addNode(name, Map.of("mesh", "nat"), 120 + i);
      AtomicInteger polled = polls.computeIfAbsent(name, k -> new AtomicInteger());
      a.status(
          () -> {
            polled.incrementAndGet();
            return status(name, a);
          });
    }

    // Published at the NATs' public endpoints to every node, with keepalives on both ends; no
    // direct path between nat-2 and nat-3, so after the attempt they are relayed through nat-1.
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () -> {
              assertThat(entry("nat-1", "nat-2").endpoint()).isEqualTo(PUBLIC.get("nat-2"));
              assertThat(entry("nat-1", "nat-2").persistentKeepalive()).isEqualTo(25);
              assertThat(entry("nat-3", "nat-2").endpoint()).isEqualTo(PUBLIC.get("nat-2"));
              assertThat(entry("nat-2", "nat-3").endpoint()).isEqualTo(PUBLIC.get("nat-3"));
              assertThat(entry("nat-2", "nat-1").persistentKeepalive()).isEqualTo(25);
              assertThat(entry("nat-2", "nat-3").allowedIPs()).isEmpty();
              assertThat(entry("nat-2", "nat-1").allowedIPs())
                  .containsAll(entry("nat-1", "nat-3").allowedIPs());
              assertThat(entry("nat-3", "nat-1").allowedIPs())
                  .containsAll(entry("nat-1", "nat-2").allowedIPs());
              assertThat(cluster.agents.get("nat-1").current().forwarding()).isTrue();
              PeerConnection c = connection("nat-2", "nat-3");
              assertThat(c.getPath()).isEqualTo("Relayed via nat-1");
              assertThat(c.getEndpoint()).isEqualTo(PUBLIC.get("nat-3"));
              assertThat(c.getEndpointSource()).isEqualTo("observed");
              assertThat(connection("nat-2", "nat-1").getPath()).isEqualTo("Direct");
              assertThat(connection("nat-2", "nat-1").getEndpointSource()).isEqualTo("advertised");
              assertThat(mesh().getStatus().getRelayedPairs()).isEqualTo(1);
              assertThat(mesh().getStatus().getDirectPairs()).isEqualTo(2);
              WireGuardPeer p3 = client.resources(WireGuardPeer.class).withName("nat-nat-3").get();
              assertThat(p3.getStatus().getEndpoint()).isEqualTo(PUBLIC.get("nat-3"));
            });
    // nat-3's lie about nat-2 (no session: nat-2 reports no handshake with it) moved nothing.
    assertThat(entry("nat-1", "nat-2").endpoint()).isEqualTo(PUBLIC.get("nat-2"));
    assertThat(entry("nat-3", "nat-2").endpoint()).isEqualTo(PUBLIC.get("nat-2"));

    // The operator restarts while the pair is relayed: the new one starts from what its
    // predecessor recorded in the node peers' status (and the agents' reports), so over several
    // passes (each longer than the attempt time) no agent gets a new configuration: the relayed
    // pair is not tried directly anew, no published endpoint moves, the relay keeps forwarding.
    cluster.agents.values().forEach(FakeAgent::clearWrites);
    Map<String, Integer> before = new java.util.TreeMap<>();
    polls.forEach((n, c) -> before.put(n, c.get()));
    agentBeans.reset();
    meshSync.reset();
    await()
        .atMost(WITHIN)
        .until(
            () ->
                before.entrySet().stream()
                    .allMatch(e -> polls.get(e.getKey()).get() >= e.getValue() + 4));
    cluster.agents.forEach(
        (n, a) -> assertThat(a.writes()).as(n + "'s configuration after the restart").isEmpty());
    assertThat(connection("nat-2", "nat-3").getPath()).isEqualTo("Relayed via nat-1");
    assertThat(connection("nat-2", "nat-3").getEndpointSource()).isEqualTo("observed");
    assertThat(mesh().getStatus().getRelayedPairs()).isEqualTo(1);
    assertThat(entry("nat-1", "nat-2").endpoint()).isEqualTo(PUBLIC.get("nat-2"));
    assertThat(cluster.agents.get("nat-1").current().forwarding()).isTrue();

    // The holes meet: after hearing each other for the settle time, the pair goes Direct.
    direct23.set(true);
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () -> {
              assertThat(connection("nat-2", "nat-3").getPath()).isEqualTo("Direct");
              assertThat(entry("nat-2", "nat-3").allowedIPs()).isNotEmpty();
              assertThat(entry("nat-2", "nat-1").allowedIPs())
                  .doesNotContainAnyElementsOf(entry("nat-1", "nat-3").allowedIPs());
              assertThat(cluster.agents.get("nat-1").current().forwarding()).isFalse();
              assertThat(mesh().getStatus().getRelayedPairs()).isZero();
              assertThat(mesh().getStatus().getDirectPairs()).isEqualTo(3);
            });
  }
}
