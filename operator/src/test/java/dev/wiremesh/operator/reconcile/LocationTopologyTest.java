package dev.wiremesh.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The location topology through the real reconciler against the mock API server, agents faked:
 * roles and locations in the statuses, configs per role, failover when a leader's agent stops
 * answering (failover-after is 3s in the test profile, resync 2s), no steal-back, preferred
 * leaders.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocationTopologyTest {

  /** failover-after 3s + a 2s agent timeout + a pass: well inside this. */
  static final Duration FAILOVER = Duration.ofSeconds(20);

  @Inject KubernetesClient client;

  TestCluster cluster;

  @BeforeAll
  void cluster() {
    cluster = new TestCluster(client);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  void mesh(String name, String pool, MeshTopology.IntraLocation intra) {
    WireGuardMesh mesh = new WireGuardMesh();
    mesh.setMetadata(new ObjectMetaBuilder().withName(name).build());
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setAddressPools(List.of(pool));
    spec.setNodeSelector(new LabelSelectorBuilder().addToMatchLabels("mesh", name).build());
    MeshTopology t = new MeshTopology();
    t.setMode(MeshTopology.Mode.Locations);
    t.setLocationLabel("example.com/site");
    t.setIntraLocation(intra);
    spec.setTopology(t);
    mesh.setSpec(spec);
    client.resource(mesh).create();
  }

  FakeAgent node(String mesh, String name, String site, int index) throws Exception {
    Map<String, String> labels = new HashMap<>(Map.of("mesh", mesh));
    if (site != null) {
      labels.put("example.com/site", site);
    }
    return cluster.addNode(name, labels, index);
  }

  List<String> locations(String mesh) {
    WireGuardMesh m = client.resources(WireGuardMesh.class).withName(mesh).get();
    if (m.getStatus() == null || m.getStatus().getLocations() == null) {
      return List.of();
    }
    return m.getStatus().getLocations().stream().map(LocationStatus::toString).toList();
  }

  String role(String peer) {
    WireGuardPeer p = client.resources(WireGuardPeer.class).withName(peer).get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getRole();
  }

  DeviceConfig config(String node) {
    return cluster.agents.get(node).current();
  }

  List<String> peerKeys(String node) {
    DeviceConfig c = config(node);
    return c == null ? List.of() : c.peers().stream().map(PeerConfig::publicKey).sorted().toList();
  }

  String key(String node) {
    return cluster.keys.get(node);
  }

  @Test
  void leadersCarryTheirLocationAndAnotherTakesOverWhenOneIsGone() throws Exception {
    mesh("loc", "10.31.0.0/24", MeshTopology.IntraLocation.Encrypted);
    FakeAgent a1 = node("loc", "loc-a1", "a", 101);
    node("loc", "loc-a2", "a", 102);
    node("loc", "loc-a3", "a", 103);
    node("loc", "loc-b1", "b", 104);
    node("loc", "loc-b2", "b", 105);
    node("loc", "loc-solo", null, 106);

    await()
        .atMost(FAILOVER)
        .untilAsserted(
            () -> {
              assertThat(locations("loc"))
                  .containsExactly(
                      "a(leader loc-a1, 3 node(s))",
                      "b(leader loc-b1, 2 node(s))",
                      "loc-solo(leader loc-solo, 1 node(s))");
              assertThat(role("loc-loc-a1")).isEqualTo("Leader of a");
              assertThat(role("loc-loc-a2")).isEqualTo("Member of a");
              assertThat(role("loc-loc-solo")).isEqualTo("Leader of loc-solo");
              // A member: the others of its location; the leader also for everything else.
              assertThat(peerKeys("loc-a2"))
                  .containsExactlyInAnyOrderElementsOf(List.of(key("loc-a1"), key("loc-a3")));
              assertThat(config("loc-a2").forwarding()).isFalse();
              // A leader: its members and the other leaders, and it forwards.
              assertThat(peerKeys("loc-a1"))
                  .containsExactlyInAnyOrderElementsOf(
                      List.of(key("loc-a2"), key("loc-a3"), key("loc-b1"), key("loc-solo")));
              assertThat(config("loc-a1").forwarding()).isTrue();
            });
    PeerConfig leaderOnMember =
        config("loc-a2").peers().stream()
            .filter(p -> p.publicKey().equals(key("loc-a1")))
            .findFirst()
            .orElseThrow();
    assertThat(leaderOnMember.allowedIPs()).contains("10.31.0.0/24");

    // The leader of a goes away: within the failover time loc-a2 takes over, and the others follow.
    a1.down();
    await()
        .atMost(FAILOVER)
        .untilAsserted(
            () -> {
              assertThat(locations("loc")).contains("a(leader loc-a2, 3 node(s))");
              assertThat(role("loc-loc-a2")).isEqualTo("Leader of a");
              assertThat(role("loc-loc-a1")).isEqualTo("Member of a");
              assertThat(config("loc-a2").forwarding()).isTrue();
              assertThat(peerKeys("loc-b1")).contains(key("loc-a2")).doesNotContain(key("loc-a1"));
              assertThat(peerKeys("loc-a3")).contains(key("loc-a1"), key("loc-a2"));
            });

    // It comes back: it does not take the role back, over several failover times.
    a1.up();
    await()
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(12))
        .untilAsserted(
            () -> {
              assertThat(locations("loc")).contains("a(leader loc-a2, 3 node(s))");
              assertThat(role("loc-loc-a1")).isEqualTo("Member of a");
            });
    await()
        .atMost(FAILOVER)
        .untilAsserted(
            () ->
                assertThat(peerKeys("loc-a1"))
                    .containsExactlyInAnyOrderElementsOf(List.of(key("loc-a2"), key("loc-a3"))));
  }

  @Test
  void aPreferredNodeLeadsOnceSettledAndDirectMembersHaveNoTunnel() throws Exception {
    mesh("pref", "10.32.0.0/24", MeshTopology.IntraLocation.Direct);
    node("pref", "pref-x1", "x", 111);
    node("pref", "pref-x2", "x", 112);
    node("pref", "pref-y1", "y", 113);
    await()
        .atMost(FAILOVER)
        .untilAsserted(
            () -> {
              assertThat(locations("pref"))
                  .containsExactly("x(leader pref-x1, 2 node(s))", "y(leader pref-y1, 1 node(s))");
              assertThat(peerKeys("pref-x2")).isEmpty();
              assertThat(config("pref-x2").routes())
                  .extracting(r -> r.to() + " via " + r.via())
                  .containsExactly(
                      "10.32.0.0/24 via 192.168.1.111", "10.32.0.1/32 via 192.168.1.111");
              assertThat(peerKeys("pref-x1")).containsExactly(key("pref-y1"));
            });

    client
        .nodes()
        .withName("pref-x2")
        .edit(
            n -> {
              n.getMetadata().setAnnotations(Map.of(MeshTopology.LEADER_ANNOTATION, "true"));
              return n;
            });
    await()
        .atMost(FAILOVER)
        .untilAsserted(
            () -> {
              assertThat(locations("pref")).contains("x(leader pref-x2, 2 node(s))");
              assertThat(peerKeys("pref-x1")).isEmpty();
              assertThat(peerKeys("pref-y1")).containsExactly(key("pref-x2"));
            });
  }
}
