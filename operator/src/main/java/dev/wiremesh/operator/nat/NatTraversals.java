package dev.wiremesh.operator.nat;

import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.crd.v1alpha1.NatTraversal;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.nat.NatDecision;
import dev.wiremesh.planner.nat.NatMembers;
import dev.wiremesh.planner.nat.NatPlanner;
import dev.wiremesh.planner.nat.NatRewrite;
import dev.wiremesh.planner.nat.NatState;
import dev.wiremesh.planner.nat.NatTimings;
import dev.wiremesh.planner.nat.RecordedNat;
import dev.wiremesh.planner.nat.Sightings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * NAT traversal for every mesh, one pass at a time: keeps each mesh's {@link NatState} between
 * passes (after a restart, the state its predecessor recorded in the node peers' status, {@link
 * RecordedNat}: a relayed pair is not tried anew, a published endpoint does not move), decides from
 * this pass's agent reports, logs each change once and rewrites the planned configurations.
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

    NatMembers members = NatMembers.of(plan);
    NatState previous =
        meshes.computeIfAbsent(name, k -> RecordedNat.state(peers, plan.nodes().keySet(), now));
    NatDecision decision =
        NatPlanner.decide(
            members.input(
                Sightings.believed(members.nodeByKey(), members.tunnels(), statuses, now, timings),
                statuses.keySet(),
                spec.effectiveRelays()),
            previous,
            now,
            timings);
    decision.changes().forEach(line -> LOG.infof("mesh %s: %s", name, line));
    meshes.put(name, decision.state());

    NatMembers.PairCounts counts = members.pairCounts(decision.state());
    Duration recheck =
        !decision.state().settled()
            ? UNSETTLED_RECHECK
            : decision.natted().isEmpty() ? null : NATTED_RECHECK;
    return new NatOutcome(
        NatRewrite.apply(plan.configs(), members.keyOf(), decision, timings),
        decision,
        counts.direct(),
        counts.relayed(),
        recheck);
  }
}
