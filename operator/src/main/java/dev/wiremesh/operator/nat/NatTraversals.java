package dev.wiremesh.operator.nat;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.crd.v1alpha1.NatTraversal;
import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.nat.NatDecision;
import dev.wiremesh.planner.nat.NatInput;
import dev.wiremesh.planner.nat.NatPlanner;
import dev.wiremesh.planner.nat.NatRewrite;
import dev.wiremesh.planner.nat.NatState;
import dev.wiremesh.planner.nat.NatTimings;
import dev.wiremesh.planner.nat.Pair;
import dev.wiremesh.planner.nat.PairPath;
import dev.wiremesh.planner.nat.Sightings;
import dev.wiremesh.planner.topology.NodeMember;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * NAT traversal for every mesh, one pass at a time: keeps each mesh's {@link NatState} between
 * passes (seeded from the peers' statuses after a restart, so a relayed pair is not tried anew),
 * decides from this pass's agent reports, logs each change once and rewrites the planned
 * configurations.
 */
@ApplicationScoped
public class NatTraversals {

  private static final Logger LOG = Logger.getLogger(NatTraversals.class);

  /** How soon to look again while a pair waits for a bounded time to run out. */
  static final Duration UNSETTLED_RECHECK = Duration.ofSeconds(5);

  /** How soon to look again while the mesh has nodes behind NAT and every pair is Direct. */
  static final Duration NATTED_RECHECK = Duration.ofSeconds(10);

  @Inject Clock clock;

  private final Map<String, NatState> meshes = new ConcurrentHashMap<>();

  /** Forgets every mesh's state, as a restart does. */
  public void reset() {
    meshes.clear();
  }

  /**
   * One pass over a mesh's NAT traversal.
   *
   * @param statuses this pass's agent statuses, by node (an agent that did not answer is absent)
   * @param attempt how long a pair tries the direct path before it is relayed
   * @param settle how long a relayed pair must hear itself directly before it goes Direct
   */
  public NatOutcome apply(
      WireGuardMesh mesh,
      MeshPlan plan,
      List<WireGuardPeer> peers,
      Map<String, DeviceStatus> statuses,
      Duration attempt,
      Duration settle) {
    String name = mesh.getMetadata().getName();
    NatTraversal spec = mesh.getSpec().effectiveNatTraversal();
    if (spec.effectiveMode() == NatTraversal.Mode.Off) {
      if (meshes.remove(name) != null) {
        LOG.infof(
            "mesh %s: NAT traversal off, every node reached at its advertised endpoint", name);
      }
      return NatOutcome.off(plan.configs());
    }
    Instant now = clock.instant();
    NatTimings timings = NatTimings.of(plan.settings().persistentKeepalive(), attempt, settle);

    Map<String, String> keyOf = new TreeMap<>();
    Map<String, String> nodeByKey = new HashMap<>();
    SortedMap<String, String> advertised = new TreeMap<>();
    Set<String> gateways = new HashSet<>();
    plan.nodes()
        .forEach(
            (node, m) -> {
              keyOf.put(node, m.publicKey());
              nodeByKey.put(m.publicKey(), node);
              if (m.endpoint() != null) {
                advertised.put(node, m.endpoint());
              }
              if (m.gateway()) {
                gateways.add(node);
              }
            });
    // The key an agent still reports a peer under while that peer's key rotates.
    plan.identities().forEach((node, id) -> nodeByKey.putIfAbsent(id.publicKey(), node));
    Map<String, Set<String>> tunnels = tunnels(plan.configs(), nodeByKey);

    NatState previous = meshes.computeIfAbsent(name, k -> seed(peers, plan.nodes(), now));
    NatDecision decision =
        NatPlanner.decide(
            new NatInput(
                advertised,
                tunnels,
                Sightings.believed(nodeByKey, tunnels, statuses, now, timings),
                statuses.keySet(),
                spec.effectiveRelays(),
                gateways),
            previous,
            now,
            timings);
    decision.changes().forEach(line -> LOG.infof("mesh %s: %s", name, line));
    meshes.put(name, decision.state());

    int direct = 0;
    int relayed = 0;
    for (var e : tunnels.entrySet()) {
      for (String other : e.getValue()) {
        if (e.getKey().compareTo(other) < 0
            && tunnels.getOrDefault(other, Set.of()).contains(e.getKey())) {
          if (decision.state().relayOf(e.getKey(), other) != null) {
            relayed++;
          } else {
            direct++;
          }
        }
      }
    }
    Duration recheck =
        !decision.state().settled()
            ? UNSETTLED_RECHECK
            : decision.natted().isEmpty() ? null : NATTED_RECHECK;
    return new NatOutcome(
        NatRewrite.apply(plan.configs(), keyOf, decision, timings),
        decision,
        direct,
        relayed,
        recheck);
  }

  /** Each node's node peers, by name, from its planned configuration. */
  static Map<String, Set<String>> tunnels(
      Map<String, DeviceConfig> configs, Map<String, String> nodeByKey) {
    Map<String, Set<String>> out = new TreeMap<>();
    configs.forEach(
        (node, c) -> {
          Set<String> set = new HashSet<>();
          for (PeerConfig p : c.peers()) {
            String other = nodeByKey.get(p.publicKey());
            if (other != null && !other.equals(node)) {
              set.add(other);
            }
          }
          out.put(node, set);
        });
    return out;
  }

  /**
   * The state a new operator starts from: the relays and published endpoints its predecessor wrote
   * into the node peers' status.connections, so a restart neither breaks a relayed pair nor moves a
   * published endpoint.
   */
  static NatState seed(List<WireGuardPeer> peers, Map<String, NodeMember> nodes, Instant now) {
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
        if (other == null || other.equals(node) || !nodes.containsKey(other)) {
          continue;
        }
        if ("observed".equals(c.getEndpointSource()) && c.getEndpoint() != null) {
          published.putIfAbsent(other, c.getEndpoint());
        }
        String path = c.getPath();
        if (path != null && path.startsWith("Relayed via ")) {
          paths.putIfAbsent(
              Pair.of(node, other),
              new PairPath.Relayed(path.substring("Relayed via ".length()), now, null));
        }
      }
    }
    return new NatState(published, paths);
  }
}
