package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl wiremesh plan} on the fixture mesh with node-2 and node-3 behind NAT, as the
 * operator records it in status: both published at their NAT's public endpoint, their pair relayed
 * via node-1; the mesh sets no keepalive of its own. The plan shows the configurations as the
 * operator pushes them (docs/nat-traversal.md).
 */
class PlanNatTest extends WithFixtureCluster {
  static final String NODE_2 = "198.51.100.2:40002";
  static final String NODE_3 = "198.51.100.3:40003";

  @TempDir Path dir;

  static PeerConnection connection(
      String peer, String path, String endpoint, String endpointSource) {
    PeerConnection c = new PeerConnection(peer, null, null, null);
    c.setPath(path);
    c.setEndpoint(endpoint);
    c.setEndpointSource(endpointSource);
    return c;
  }

  static void record(String peer, String endpoint, PeerConnection... connections) {
    cluster
        .client
        .resources(WireGuardPeer.class)
        .withName(peer)
        .editStatus(
            p -> {
              Map<String, PeerConnection> byPeer = new java.util.TreeMap<>();
              for (PeerConnection c : connections) {
                byPeer.put(c.getPeer(), c);
              }
              p.getStatus()
                  .setConnections(
                      p.getStatus().getConnections().stream()
                          .map(c -> byPeer.getOrDefault(c.getPeer(), c))
                          .toList());
              p.getStatus().setEndpoint(endpoint);
              return p;
            });
  }

  @BeforeAll
  static void natted() {
    cluster
        .client
        .resources(WireGuardMesh.class)
        .withName("mesh")
        .edit(
            m -> {
              m.getSpec().setPersistentKeepalive(null);
              return m;
            });
    record(
        "mesh-node-1",
        "172.29.0.11:51820",
        connection("mesh-node-2", "Direct", NODE_2, "observed"),
        connection("mesh-node-3", "Direct", NODE_3, "observed"));
    record(
        "mesh-node-2",
        NODE_2,
        connection("mesh-node-1", "Direct", "172.29.0.11:51820", "advertised"),
        connection("mesh-node-3", "Relayed via node-1", NODE_3, "observed"));
    record(
        "mesh-node-3",
        NODE_3,
        connection("mesh-node-1", "Direct", "172.29.0.11:51820", "advertised"),
        connection("mesh-node-2", "Relayed via node-1", NODE_2, "observed"));
  }

  /** The fixture mesh's spec without a keepalive, with {@code natTraversal} as given. */
  Path mesh(String natTraversal) throws Exception {
    return Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        apiVersion: wiremesh.dev/v1alpha1
        kind: WireGuardMesh
        metadata:
          name: mesh
        spec:
          addressPools: [10.100.0.0/16, "fd00:100::/64"]
          listenPort: 51820
          interfaceName: wm0
          gatewaySelector:
            matchLabels:
              wiremesh.dev/gateway: "true"
          natTraversal: %s
        """
            .formatted(natTraversal));
  }

  @Test
  void turningNatTraversalOffShowsWhatItDoesOnEveryNode() throws Exception {
    // Every node's configuration as pushed now carries the NAT rewriting; Off takes it away: no
    // keepalives, the relayed pair's allowed IPs back on its direct entries, the relay no longer
    // forwarding. (The endpoints stay: status holds a NATed node's published endpoint, not the
    // one its agent advertises, so the plan cannot show that one.)
    var r = cluster.run("plan", "-f", mesh("{mode: \"Off\"}").toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("    ~ peer mesh-node-2 [yRbsdB/D…]: keepalive 25s -> 0s\n")
        .contains("      forwarding on -> off\n")
        .contains(
            "    ~ peer mesh-node-3 [9nxag1+e…]: allowed IPs +10.100.0.4/32 +fd00:100::4/128;"
                + " keepalive 25s -> 0s\n");
    Golden.check("plan-nat-off.txt", r.out());
  }

  @Test
  void aRelayTheMeshNoLongerAllowsIsReplacedAsTheOperatorWould() throws Exception {
    // The only relay allowed is not a node of the mesh: the pair has none left and goes back to
    // its direct path, and node-1 stops forwarding.
    var r = cluster.run("plan", "-f", mesh("{relays: [node-9]}").toString());
    assertThat(r.status()).isZero();
    Golden.check("plan-nat-relay-gone.txt", r.out());
  }

  @Test
  void aNewExternalPeerOnAMeshWithNodesBehindNat() throws Exception {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/new-peer.yaml");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains(
            "  NAT traversal, as the operator recorded it in status:\n"
                + "    node-2 behind NAT, published at 198.51.100.2:40002\n"
                + "    node-3 behind NAT, published at 198.51.100.3:40003\n"
                + "    node-2<->node-3 relayed via node-1\n");
    Golden.check("plan-nat-new-peer.txt", r.out());

    var json = cluster.run("plan", "-f", "src/test/resources/changes/new-peer.yaml", "-o", "json");
    var mesh =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).at("/meshes/0");
    assertThat(mesh.path("nat").get(2).asText()).isEqualTo("node-2<->node-3 relayed via node-1");
  }

  @Test
  void theMeshAsItIsChangesNothing() throws Exception {
    var r = cluster.run("plan", "-f", mesh("{mode: Auto}").toString());
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Changes: WireGuardMesh mesh: configured\n\nMesh mesh:\n  no change on any node\n");
  }
}
