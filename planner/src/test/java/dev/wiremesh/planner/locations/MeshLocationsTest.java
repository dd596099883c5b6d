package dev.wiremesh.planner.locations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshStatus;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.WgQuickConfig;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A mesh of locations whose gatewaySelector selects only a member: the external peers attach to
 * that location's leader, whose endpoint their wg-quick file names.
 */
class MeshLocationsTest {

  static final MeshSettings SETTINGS =
      new MeshSettings("wm0", 51820, 1420, 25, false, List.of("10.44.0.0/16"));

  static WireGuardMesh mesh(String... currentLeaders) {
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setAddressPools(List.of("10.44.0.0/16"));
    MeshTopology t = new MeshTopology();
    t.setMode(MeshTopology.Mode.Locations);
    spec.setTopology(t);
    WireGuardMesh m = new WireGuardMesh();
    m.setSpec(spec);
    if (currentLeaders.length > 0) {
      WireGuardMeshStatus status = new WireGuardMeshStatus();
      status.setLocations(
          List.of(
              new LocationStatus("zone-1", currentLeaders[0], 2),
              new LocationStatus("zone-2", currentLeaders[1], 2)));
      m.setStatus(status);
    }
    return m;
  }

  /** node-1 and node-3 in zone-1, node-2 and node-4 in zone-2; only node-3 selected. */
  static Map<String, NodeMember> members() {
    Map<String, NodeMember> out = new TreeMap<>();
    for (int i = 1; i <= 4; i++) {
      out.put(
          "node-" + i,
          new NodeMember(
              "node-" + i,
              "K" + i,
              "192.168.0." + i + ":51820",
              List.of("10.44.0." + i),
              List.of(),
              i == 3));
    }
    return out;
  }

  static Map<String, Node> nodes() {
    Map<String, Node> out = new TreeMap<>();
    for (int i = 1; i <= 4; i++) {
      out.put(
          "node-" + i,
          new NodeBuilder()
              .withNewMetadata()
              .withName("node-" + i)
              .addToLabels(MeshTopology.DEFAULT_LOCATION_LABEL, "zone-" + (2 - i % 2))
              .endMetadata()
              .build());
    }
    return out;
  }

  static final ExternalMember LAPTOP =
      new ExternalMember(
          "laptop", "KZ", null, List.of("10.44.1.1"), List.of("192.168.50.0/24"), null, null);

  @Test
  void aSelectedMemberHandsTheExternalPeersToItsLeader() {
    MeshLocations.Result r =
        MeshLocations.plan(
            mesh("node-1", "node-2"),
            SETTINGS,
            members(),
            nodes(),
            NodeLiveness.ALL,
            List.of(LAPTOP));

    assertThat(r.plan().locations()).containsEntry("zone-1", "node-1");
    assertThat(r.plan().gateways()).containsExactly("node-1");
    assertThat(r.members().get("node-1").gateway()).isTrue();
    assertThat(r.members().get("node-3").gateway()).as("a member is no gateway").isFalse();
    assertThat(r.plan().devices().get("node-1").peers()).anyMatch(p -> p.publicKey().equals("KZ"));
    String conf =
        WgQuickConfig.render("mesh", SETTINGS, LAPTOP, List.copyOf(r.members().values()), null);
    assertThat(conf).contains("# gateway node node-1", "Endpoint = 192.168.0.1:51820");
    assertThat(conf).doesNotContain("No gateway node is ready yet", "node-3");
  }

  @Test
  void aNewMeshElectsTheSelectedNodeItsLocationsLeader() {
    MeshLocations.Result r =
        MeshLocations.plan(mesh(), SETTINGS, members(), nodes(), NodeLiveness.ALL, List.of(LAPTOP));
    assertThat(r.plan().locations())
        .containsExactly(Map.entry("zone-1", "node-3"), Map.entry("zone-2", "node-2"));
    assertThat(r.plan().gateways()).containsExactly("node-3");
  }
}
