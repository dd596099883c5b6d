package dev.wiremesh.cli.mesh;

import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.SecretKeyRef;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.CliException;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.mesh.MeshPlanner;
import dev.wiremesh.planner.mesh.NodeIdentities;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.PlannedPeer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One mesh as the cluster holds it, planned with the operator's own planner (planner/): node
 * identities as the operator recorded them in the node peers' status. Which pairs should connect
 * comes from the plan; how they are doing, from the node peers' status.
 *
 * @param peers the mesh's WireGuardPeers by name
 * @param plan the plan of the mesh as it is
 * @param names public key to WireGuardPeer name, for the planned members
 */
public record MeshState(
    WireGuardMesh mesh,
    Map<String, WireGuardPeer> peers,
    MeshPlan plan,
    Map<String, String> names) {

  /**
   * Plans {@code mesh} from the given resources.
   *
   * @param allPeers every WireGuardPeer; those of other meshes are left out
   */
  public static MeshState of(
      WireGuardMesh mesh,
      List<Node> nodes,
      List<WireGuardPeer> allPeers,
      Function<SecretKeyRef, Secret> secrets) {
    String name = mesh.getMetadata().getName();
    List<String> problems = MeshPlanner.poolProblems(mesh);
    if (!problems.isEmpty()) {
      throw new CliException("WireGuardMesh \"" + name + "\": " + String.join("; ", problems));
    }
    List<WireGuardPeer> mine =
        allPeers.stream()
            .filter(p -> p.getSpec() != null && name.equals(p.getSpec().getMesh()))
            .toList();
    Map<String, WireGuardPeer> byName = new TreeMap<>();
    mine.forEach(p -> byName.put(p.getMetadata().getName(), p));
    MeshPlan plan =
        MeshPlanner.plan(
            mesh,
            MeshPlanner.selectedNodes(mesh, nodes),
            mine,
            (node, peer) -> NodeIdentities.recorded(peer),
            secrets);
    Map<String, String> names = new HashMap<>();
    for (WireGuardPeer p : mine) {
      if (p.getSpec().isExternal()) {
        names.put(p.getSpec().getPublicKey(), p.getMetadata().getName());
      } else if (plan.nodes().containsKey(p.getSpec().getNode())) {
        names.put(plan.nodes().get(p.getSpec().getNode()).publicKey(), p.getMetadata().getName());
      }
    }
    return new MeshState(mesh, byName, plan, names);
  }

  public String name() {
    return mesh.getMetadata().getName();
  }

  /** The WireGuardPeer name of the node peer planned for {@code node}. */
  public String peerOfNode(String node) {
    return names.get(plan.nodes().get(node).publicKey());
  }

  /**
   * Every pair of peers that should hold a tunnel, by the plan, with what the node peers' status
   * reports of it: the newest handshake either side saw, and the bytes as the first node (by name)
   * counts them. Sorted by the pair's names.
   */
  public List<Pair> pairs() {
    TreeSet<String> keys = new TreeSet<>();
    for (Map.Entry<String, PlannedDevice> e : plan.devices().entrySet()) {
      String a = peerOfNode(e.getKey());
      for (PlannedPeer pp : e.getValue().peers()) {
        String b = names.get(pp.publicKey());
        if (b != null) {
          keys.add(a.compareTo(b) <= 0 ? a + "\0" + b : b + "\0" + a);
        }
      }
    }
    List<Pair> out = new ArrayList<>();
    for (String k : keys) {
      String x = k.substring(0, k.indexOf('\0'));
      String y = k.substring(k.indexOf('\0') + 1);
      PeerConnection cx = connection(x, y);
      PeerConnection cy = connection(y, x);
      Instant hx = handshake(cx);
      Instant hy = handshake(cy);
      Instant newest = hx == null ? hy : hy == null || hx.isAfter(hy) ? hx : hy;
      PeerConnection c = cx != null ? cx : cy;
      out.add(
          new Pair(
              x,
              y,
              kind(x),
              kind(y),
              newest,
              cx != null ? x : cy != null ? y : x,
              c == null ? null : c.getRxBytes(),
              c == null ? null : c.getTxBytes()));
    }
    return out;
  }

  /** "node", "gateway" or "external". */
  public String kind(String peer) {
    WireGuardPeer p = peers.get(peer);
    if (p == null || p.getSpec().isExternal()) {
      return "external";
    }
    var m = plan.nodes().get(p.getSpec().getNode());
    return m != null && m.gateway() ? "gateway" : "node";
  }

  /**
   * The peer's role in the mesh's topology, as the picture writes it: "Leader of zone-1" or "Member
   * of zone-1" in a mesh of locations, "relay" for a node that NAT traversal relays other nodes'
   * traffic through (their status.connections say "Relayed via NODE"), both joined by ", "; null
   * when it has none.
   */
  public String role(String peer) {
    WireGuardPeer p = peers.get(peer);
    if (p == null || p.getSpec().isExternal()) {
      return null;
    }
    List<String> roles = new ArrayList<>();
    var role = plan.roles().get(p.getSpec().getNode());
    if (role != null) {
      roles.add(role.describe());
    }
    if (relays().contains(p.getSpec().getNode())) {
      roles.add("relay");
    }
    return roles.isEmpty() ? null : String.join(", ", roles);
  }

  /** Whether the peer carries other peers' traffic: a location's leader, or a NAT relay. */
  public boolean forwards(String peer) {
    WireGuardPeer p = peers.get(peer);
    if (p == null || p.getSpec().isExternal()) {
      return false;
    }
    var role = plan.roles().get(p.getSpec().getNode());
    return role != null && role.leader() || relays().contains(p.getSpec().getNode());
  }

  /** The nodes that some node's status.connections name as its relay ("Relayed via NODE"). */
  private java.util.Set<String> relays() {
    java.util.Set<String> out = new TreeSet<>();
    for (WireGuardPeer p : peers.values()) {
      if (p.getStatus() != null && p.getStatus().getConnections() != null) {
        for (PeerConnection c : p.getStatus().getConnections()) {
          if (c.getPath() != null && c.getPath().startsWith(RELAYED_VIA)) {
            out.add(c.getPath().substring(RELAYED_VIA.length()).strip());
          }
        }
      }
    }
    return out;
  }

  private static final String RELAYED_VIA = "Relayed via ";

  private PeerConnection connection(String from, String to) {
    WireGuardPeer p = peers.get(from);
    if (p == null || p.getStatus() == null || p.getStatus().getConnections() == null) {
      return null;
    }
    return p.getStatus().getConnections().stream()
        .filter(c -> to.equals(c.getPeer()))
        .findFirst()
        .orElse(null);
  }

  private static Instant handshake(PeerConnection c) {
    return c == null || c.getLastHandshakeTime() == null
        ? null
        : Instant.parse(c.getLastHandshakeTime());
  }
}
