package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fixture mesh in topology mode Locations (node-1 and node-3 in zone-1, node-2 in zone-2): the
 * picture marks the leaders and names every node's role, and draws only the tunnels the location
 * topology holds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GraphLocationsTest extends WithFixtureCluster {

  @BeforeAll
  static void locations() {
    Map<String, String> zones = Map.of("node-1", "zone-1", "node-2", "zone-2", "node-3", "zone-1");
    zones.forEach(
        (node, zone) ->
            cluster
                .client
                .resources(Node.class)
                .withName(node)
                .edit(
                    n -> {
                      n.getMetadata().getLabels().put(MeshTopology.DEFAULT_LOCATION_LABEL, zone);
                      return n;
                    }));
    cluster
        .client
        .resources(WireGuardMesh.class)
        .withName("mesh")
        .edit(
            m -> {
              MeshTopology t = new MeshTopology();
              t.setMode(MeshTopology.Mode.Locations);
              m.getSpec().setTopology(t);
              return m;
            });
  }

  @Test
  @Order(1)
  void dotMarksTheLeadersAndNamesEachNodesRole() {
    var r = cluster.run("graph", "mesh", "-o", "dot");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    // node-1 leads zone-1 (the gateway-selected node first) and is the gateway; node-2 leads
    // zone-2; node-3 is zone-1's member.
    assertThat(r.out())
        .contains(
            "\"mesh-node-1\" [ label=\"mesh-node-1\nnode node-1, 10.100.0.2, fd00:100::2\nLeader of"
                + " zone-1\" shape=\"box\" peripheries=\"2\" penwidth=\"3\"")
        .contains(
            "\"mesh-node-2\" [ label=\"mesh-node-2\nnode node-2, 10.100.0.3, fd00:100::3\nLeader of"
                + " zone-2\" shape=\"box\" penwidth=\"3\"")
        .contains(
            "\"mesh-node-3\" [ label=\"mesh-node-3\nnode node-3, 10.100.0.4, fd00:100::4\nMember of"
                + " zone-1\" shape=\"box\" style=");
    // The member's only tunnel is to its leader; zone-2 is reached through the leaders.
    assertThat(r.out())
        .contains("\"mesh-node-1\" -- \"mesh-node-3\"")
        .contains("\"mesh-node-1\" -- \"mesh-node-2\"")
        .doesNotContain("\"mesh-node-2\" -- \"mesh-node-3\"");
  }

  @Test
  @Order(2)
  void svgWritesTheRoles() {
    var r = cluster.run("graph", "mesh", "-o", "svg");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains(">Leader of zone-1<", ">Leader of zone-2<", ">Member of zone-1<")
        .contains("heavy box: leader or relay");
  }

  @Test
  @Order(3)
  void aNatRelayIsMarkedToo() {
    // NAT traversal reports node-3's path to node-2 as relayed through node-1.
    cluster
        .client
        .resources(WireGuardPeer.class)
        .withName("mesh-node-3")
        .editStatus(
            p -> {
              p.getStatus().getConnections().getFirst().setPath("Relayed via node-1");
              return p;
            });
    var r = cluster.run("graph", "mesh", "-o", "dot");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("\nLeader of zone-1, relay\" shape=\"box\" peripheries=\"2\" penwidth=\"3\"");
  }
}
