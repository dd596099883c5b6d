package dev.wiremesh.planner.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.NatTraversal;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.mesh.MeshPlanner;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * NAT traversal on a mesh in topology mode Locations (docs/nat-traversal.md, "Locations"), planned
 * by the real planner: a pair is only ever a tunnel the topology has, and its relay a reachable
 * node that holds tunnels to both ends, so a pair of leaders is relayed through another leader and
 * a pair inside a location through a node of that location.
 *
 * <pre>
 *   zone-1: node-1 leader, behind NAT    node-2 member, behind NAT    node-3 member, reachable
 *   zone-2: node-4 leader, reachable     node-5 member, reachable
 *   zone-3: node-6 leader, behind NAT
 * </pre>
 *
 * Behind NAT means symmetric here: two nodes behind NAT never hear each other directly; a reachable
 * node hears a NATed one at its NAT's public endpoint.
 */
class NatLocationsTest {
  static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
  static final NatTimings T = NatTimings.forKeepalive(0);
  static final Set<String> NATTED = Set.of("node-1", "node-2", "node-6");
  static final Map<String, String> ZONE =
      Map.of(
          "node-1", "zone-1",
          "node-2", "zone-1",
          "node-3", "zone-1",
          "node-4", "zone-2",
          "node-5", "zone-2",
          "node-6", "zone-3");
  static final Set<String> LEADERS = Set.of("node-1", "node-4", "node-6");

  static int index(String node) {
    return Integer.parseInt(node.substring("node-".length()));
  }

  static String key(String node) {
    // 32 bytes of base64: the node's digit repeated.
    return String.valueOf(index(node)).repeat(43) + "=";
  }

  static String advertised(String node) {
    return "192.168.0." + index(node) + ":51820";
  }

  static String publicEndpoint(String node) {
    return NATTED.contains(node) ? "198.51.100." + index(node) + ":4000" + index(node) : null;
  }

  static WireGuardMesh mesh(List<String> relays) {
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setAddressPools(List.of("10.44.0.0/16"));
    MeshTopology t = new MeshTopology();
    t.setMode(MeshTopology.Mode.Locations);
    spec.setTopology(t);
    if (!relays.isEmpty()) {
      NatTraversal n = new NatTraversal();
      n.setRelays(relays);
      spec.setNatTraversal(n);
    }
    WireGuardMesh m = new WireGuardMesh();
    m.setMetadata(new ObjectMetaBuilder().withName("mesh").build());
    m.setSpec(spec);
    return m;
  }

  static MeshPlan plan(WireGuardMesh mesh) {
    Map<String, Node> nodes = new TreeMap<>();
    List<WireGuardPeer> peers = new ArrayList<>();
    for (String n : ZONE.keySet()) {
      nodes.put(
          n,
          new NodeBuilder()
              .withNewMetadata()
              .withName(n)
              .addToLabels(MeshTopology.DEFAULT_LOCATION_LABEL, ZONE.get(n))
              .addToAnnotations(
                  LEADERS.contains(n) ? Map.of(MeshTopology.LEADER_ANNOTATION, "true") : Map.of())
              .endMetadata()
              .build());
      WireGuardPeerSpec spec = new WireGuardPeerSpec();
      spec.setMesh("mesh");
      spec.setNode(n);
      WireGuardPeer p = new WireGuardPeer();
      p.setMetadata(new ObjectMetaBuilder().withName("mesh-" + n).build());
      p.setSpec(spec);
      peers.add(p);
    }
    return MeshPlanner.plan(
        mesh,
        nodes,
        peers,
        (node, peer) -> new Identity(key(node), 51820, List.of(advertised(node))),
        ref -> null);
  }

  /**
   * What the agents report at {@code at}: each end of a tunnel hears the other unless both are
   * behind NAT, at the other's public endpoint when it has one.
   */
  static List<Sighting> sightings(NatMembers members, Instant at) {
    List<Sighting> out = new ArrayList<>();
    members
        .tunnels()
        .forEach(
            (observer, peers) -> {
              for (String peer : peers) {
                if (!(NATTED.contains(observer) && NATTED.contains(peer))) {
                  String seen =
                      publicEndpoint(peer) != null ? publicEndpoint(peer) : advertised(peer);
                  out.add(new Sighting(observer, peer, seen, at.minusSeconds(2)));
                }
              }
            });
    return out;
  }

  /** Two passes: one when the pairs are new, one once the attempt time has run out. */
  static NatDecision decide(NatMembers members, List<String> relays) {
    Set<String> alive = ZONE.keySet();
    NatDecision first =
        NatPlanner.decide(
            members.input(sightings(members, T0), alive, relays), NatState.EMPTY, T0, T);
    Instant later = T0.plus(T.attempt());
    return NatPlanner.decide(
        members.input(sightings(members, later), alive, relays), first.state(), later, T);
  }

  static PeerConfig entry(DeviceConfig c, String node) {
    return c.peers().stream()
        .filter(p -> p.publicKey().equals(key(node)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + node));
  }

  @Test
  void leadersAreRelayedThroughALeaderAndAPairInsideALocationThroughANodeOfIt() {
    MeshPlan plan = plan(mesh(List.of()));
    assertThat(plan.roles().get("node-1").leader()).isTrue();
    assertThat(plan.roles().get("node-2").leader()).isFalse();
    NatMembers members = NatMembers.of(plan);
    // The topology's tunnels: leaders with each other, a full mesh inside each location.
    assertThat(members.tunnels().get("node-2")).containsExactlyInAnyOrder("node-1", "node-3");
    assertThat(members.tunnels().get("node-1"))
        .containsExactlyInAnyOrder("node-2", "node-3", "node-4", "node-6");

    NatDecision d = decide(members, List.of());

    assertThat(d.natted()).containsExactly("node-1", "node-2", "node-6");
    // Published at the endpoint the reachable nodes see: node-2 only by node-3, its one reachable
    // peer (node-1's view does not count: it is behind NAT itself).
    assertThat(d.state().published())
        .containsEntry("node-1", publicEndpoint("node-1"))
        .containsEntry("node-2", publicEndpoint("node-2"))
        .containsEntry("node-6", publicEndpoint("node-6"));
    NatState s = d.state();
    // A NATed leader and a NATed member of its location: relayed through the location's
    // reachable member, the only node with tunnels to both (node-4, a leader, has none to node-2).
    assertThat(s.path("node-1", "node-2"))
        .isEqualTo(new PairPath.Relayed("node-3", T0.plus(T.attempt()), null));
    // Two NATed leaders: through the reachable leader.
    assertThat(s.relayOf("node-1", "node-6")).isEqualTo("node-4");
    // A NATed leader with a reachable node: direct, through the published endpoint.
    assertThat(s.path("node-1", "node-4")).isInstanceOf(PairPath.Direct.class);
    assertThat(s.path("node-2", "node-3")).isInstanceOf(PairPath.Direct.class);
    // No pair where the topology has no tunnel.
    assertThat(s.paths().keySet()).doesNotContain(Pair.of("node-2", "node-4"));
    assertThat(members.pairCounts(s)).isEqualTo(new NatMembers.PairCounts(5, 2));

    Map<String, DeviceConfig> out = NatRewrite.apply(plan.configs(), members.keyOf(), d, T);
    DeviceConfig n2 = out.get("node-2");
    // node-2 reaches its leader, and through it the other locations, via node-3: its entry for
    // node-3 carries what its entry for the leader carried (the mesh's pool among it).
    List<String> leaderRoutes = entry(plan.configs().get("node-2"), "node-1").allowedIPs();
    assertThat(leaderRoutes).contains("10.44.0.0/16");
    assertThat(entry(n2, "node-3").allowedIPs()).containsAll(leaderRoutes);
    assertThat(entry(n2, "node-1").allowedIPs()).isEmpty();
    assertThat(entry(n2, "node-1").endpoint()).isEqualTo(publicEndpoint("node-1"));
    assertThat(entry(n2, "node-1").persistentKeepalive()).isEqualTo(25);
    // node-3, a member, forwards while it relays; the leaders forward as leaders anyway.
    assertThat(plan.configs().get("node-3").forwarding()).isFalse();
    assertThat(out.get("node-3").forwarding()).isTrue();
    assertThat(out.get("node-4").forwarding()).isTrue();
    // node-1 reaches zone-3 through node-4: its entry for node-4 carries what its entry for node-6
    // (zone-3's leader) carried.
    List<String> zone3 = entry(plan.configs().get("node-1"), "node-6").allowedIPs();
    assertThat(entry(out.get("node-1"), "node-4").allowedIPs()).containsAll(zone3);
    assertThat(entry(out.get("node-1"), "node-6").allowedIPs()).isEmpty();
    // The reachable leader reaches the NATed ones at their published endpoints, with keepalives.
    assertThat(entry(out.get("node-4"), "node-1").endpoint()).isEqualTo(publicEndpoint("node-1"));
    assertThat(entry(out.get("node-4"), "node-6").persistentKeepalive()).isEqualTo(25);
    // Nothing changes for a pair of reachable nodes.
    assertThat(entry(out.get("node-5"), "node-4"))
        .isSameAs(entry(plan.configs().get("node-5"), "node-4"));
  }

  @Test
  void aPinnedRelayServesOnlyThePairsItHasTunnelsToBothEndsOf() {
    List<String> pinned = List.of("node-4");
    MeshPlan plan = plan(mesh(pinned));
    NatMembers members = NatMembers.of(plan);

    NatDecision d = decide(members, pinned);

    assertThat(d.state().relayOf("node-1", "node-6")).isEqualTo("node-4");
    // node-4 holds no tunnel to node-2, and the pinned relays are the only ones: the pair has no
    // relay and keeps trying the direct path.
    assertThat(d.state().path("node-1", "node-2")).isInstanceOf(PairPath.Trying.class);
    assertThat(d.changes()).noneMatch(l -> l.startsWith("node-1<->node-2: Relayed"));
  }
}
