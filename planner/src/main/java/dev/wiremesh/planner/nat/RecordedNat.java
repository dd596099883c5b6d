package dev.wiremesh.planner.nat;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.crd.v1alpha1.NatTraversal;
import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.planner.mesh.MeshPlan;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The NAT traversal state as the operator records it in the node peers' {@code status.connections}:
 * per tunnel, its path ({@code Direct}, {@code Relayed via NODE}) and the endpoint pushed for the
 * other end with how it was learned ({@code observed}: published for a node behind NAT). A new
 * operator starts from it after a restart, so that a relayed pair stays relayed and a published
 * endpoint stays where it is until new reports say otherwise; the kubectl plugin plans from it,
 * since it has no agent reports.
 */
public final class RecordedNat {

  private static final String RELAYED_VIA = "Relayed via ";

  private RecordedNat() {}

  /**
   * The published endpoints and relayed pairs recorded in {@code peers}' statuses, among {@code
   * nodes}; relayed pairs count as relayed since {@code now} (a pair must hear itself directly for
   * the settle time again before it goes Direct).
   */
  public static NatState state(List<WireGuardPeer> peers, Set<String> nodes, Instant now) {
    Map<String, String> nodeOfPeer = new HashMap<>();
    for (WireGuardPeer p : peers) {
      if (p.getSpec() != null && !p.getSpec().isExternal()) {
        nodeOfPeer.put(p.getMetadata().getName(), p.getSpec().getNode());
      }
    }
    SortedMap<String, String> published = new TreeMap<>();
    SortedMap<Pair, PairPath> paths = new TreeMap<>();
    for (WireGuardPeer p : peers) {
      String node = nodeOfPeer.get(p.getMetadata().getName());
      if (node == null || p.getStatus() == null || p.getStatus().getConnections() == null) {
        continue;
      }
      for (PeerConnection c : p.getStatus().getConnections()) {
        String other = c.getPeer() == null ? null : nodeOfPeer.get(c.getPeer());
        if (other == null || other.equals(node) || !nodes.contains(other)) {
          continue;
        }
        if ("observed".equals(c.getEndpointSource())
            && c.getEndpoint() != null
            && Sightings.isIpEndpoint(c.getEndpoint())) {
          published.putIfAbsent(other, c.getEndpoint());
        }
        String path = c.getPath();
        if (path != null && path.startsWith(RELAYED_VIA) && nodes.contains(node)) {
          String via = path.substring(RELAYED_VIA.length()).strip();
          if (!via.isEmpty() && !via.equals(node) && !via.equals(other)) {
            paths.putIfAbsent(Pair.of(node, other), new PairPath.Relayed(via, now, null));
          }
        }
      }
    }
    return new NatState(published, paths);
  }

  /**
   * A mesh in its recorded NAT state, as the operator pushes it while the agents report nothing
   * new.
   *
   * @param decision the recorded state carried through one pass of the planner; null when the
   *     mesh's natTraversal is Off
   * @param configs every node's configuration, rewritten for it
   */
  public record Applied(NatDecision decision, Map<String, DeviceConfig> configs) {}

  /**
   * Every node's configuration as the operator pushes it on a mesh in the recorded NAT state, as
   * long as the agents report nothing new: the recorded state carried through one pass of {@link
   * NatPlanner} without reports (every node's agent counted as answering, so a relay that {@code
   * plan} leaves without a tunnel to both ends is replaced as the operator would replace it), then
   * {@link NatRewrite}. With natTraversal Off, {@code plan}'s configurations as they are.
   */
  public static Applied apply(
      WireGuardMesh mesh, MeshPlan plan, List<WireGuardPeer> peers, Instant now) {
    NatTraversal spec = mesh.getSpec().effectiveNatTraversal();
    if (spec.effectiveMode() == NatTraversal.Mode.Off) {
      return new Applied(null, plan.configs());
    }
    NatMembers members = NatMembers.of(plan);
    NatTimings timings = NatTimings.forKeepalive(plan.settings().persistentKeepalive());
    NatDecision decision =
        NatPlanner.decide(
            members.input(List.of(), plan.nodes().keySet(), spec.effectiveRelays()),
            state(peers, plan.nodes().keySet(), now),
            now,
            timings);
    return new Applied(
        decision, NatRewrite.apply(plan.configs(), members.keyOf(), decision, timings));
  }
}
