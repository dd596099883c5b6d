package dev.wiremesh.planner.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a new operator, and the kubectl plugin, read back of the NAT state from status. */
class RecordedNatTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  static final Set<String> NODES = Set.of("n1", "n2", "n3");

  static PeerConnection c(String peer, String path, String endpoint, String source) {
    PeerConnection c = new PeerConnection(peer, null, null, null);
    c.setPath(path);
    c.setEndpoint(endpoint);
    c.setEndpointSource(source);
    return c;
  }

  static WireGuardPeer peer(String name, String node, PeerConnection... connections) {
    WireGuardPeerSpec spec = new WireGuardPeerSpec();
    spec.setMesh("mesh");
    if (node != null) {
      spec.setNode(node);
    } else {
      spec.setPublicKey("IUYHj8+z+KPa5RymT1YFuzxaKzGG4IYcT3NqKK8muUo=");
    }
    WireGuardPeer p = new WireGuardPeer();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(spec);
    WireGuardPeerStatus s = new WireGuardPeerStatus();
    s.setConnections(List.of(connections));
    p.setStatus(s);
    return p;
  }

  @Test
  void publishedEndpointsAndRelayedPairsComeBackAsRecorded() {
    List<WireGuardPeer> peers =
        List.of(
            peer(
                "mesh-n1",
                "n1",
                c("mesh-n2", "Direct", "198.51.100.2:40002", "observed"),
                c("mesh-n3", "Direct", "198.51.100.3:40003", "observed"),
                c("laptop", null, null, null)),
            peer(
                "mesh-n2",
                "n2",
                c("mesh-n1", "Direct", "192.0.2.1:51820", "advertised"),
                c("mesh-n3", "Relayed via n1", "198.51.100.3:40003", "observed")),
            peer("mesh-n3", "n3", c("mesh-n2", "Relayed via n1", "198.51.100.2:40002", "observed")),
            peer("laptop", null, c("mesh-n1", "Relayed via n2", "192.0.2.1:51820", "observed")));

    NatState s = RecordedNat.state(peers, NODES, NOW);

    assertThat(s.published())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.of("n2", "198.51.100.2:40002", "n3", "198.51.100.3:40003")));
    assertThat(s.paths())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.of(Pair.of("n2", "n3"), new PairPath.Relayed("n1", NOW, null))));
  }

  @Test
  void whatCannotBeARecordIsIgnored() {
    List<WireGuardPeer> peers =
        List.of(
            peer(
                "mesh-n1",
                "n1",
                // not an IP endpoint
                c("mesh-n2", "Direct", "evil.example:1", "observed"),
                // a node outside the mesh's plan
                c("mesh-n9", "Relayed via n2", "198.51.100.9:1", "observed"),
                // a pair relayed through one of its own ends
                c("mesh-n3", "Relayed via n3", "198.51.100.3:40003", "advertised")),
            peer("mesh-n9", "n9"));

    NatState s = RecordedNat.state(peers, NODES, NOW);

    assertThat(s.published()).isEmpty();
    assertThat(s.paths()).isEmpty();
  }
}
