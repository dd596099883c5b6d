package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.planner.locations.AgentLiveness;
import dev.wiremesh.planner.locations.MeshLocations;
import dev.wiremesh.planner.locations.NodeLiveness;
import io.fabric8.kubernetes.api.model.Node;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The operator's view of which agents are there, per mesh in topology mode Locations, from its
 * status polls ({@link AgentLiveness}, failover time {@code wiremesh.topology.failover-after}), and
 * when to look again so that a silent leader is replaced as soon as its failover time is up.
 */
@ApplicationScoped
public class LeaderLiveness {

  private static final Logger LOG = Logger.getLogger(LeaderLiveness.class);

  @Inject OperatorConfig config;
  @Inject Clock clock;

  private final Map<String, AgentLiveness> meshes = new ConcurrentHashMap<>();

  /** Records this pass's polls of the mesh's nodes; the liveness to plan with. */
  NodeLiveness observe(String mesh, Set<String> nodes, Set<String> answered) {
    Instant now = clock.instant();
    AgentLiveness live =
        meshes.computeIfAbsent(mesh, k -> new AgentLiveness(config.topology().failoverAfter()));
    live.retainOnly(nodes);
    nodes.forEach(n -> live.observe(n, answered.contains(n), now));
    return new NodeLiveness() {
      @Override
      public boolean alive(String node) {
        return live.alive(node, now);
      }

      @Override
      public boolean settled(String node) {
        return live.settled(node, now);
      }
    };
  }

  /** The mesh left mode Locations or is gone. */
  void forget(String mesh) {
    meshes.remove(mesh);
  }

  /**
   * How soon the leaders could change without any event: a leader's failover time running out, or a
   * preferred node settling; null when nothing is pending.
   */
  Duration recheckIn(String mesh, List<LocationStatus> locations, Map<String, Node> nodes) {
    AgentLiveness live = meshes.get(mesh);
    if (live == null || locations == null) {
      return null;
    }
    Instant now = clock.instant();
    Set<String> leaders = new java.util.HashSet<>();
    locations.forEach(l -> leaders.add(l.getLeader()));
    Optional<Instant> next = Optional.empty();
    for (String node : nodes.keySet()) {
      Optional<Instant> at =
          leaders.contains(node)
              ? live.aliveUntil(node, now).map(t -> t.plusMillis(1))
              : MeshLocations.preferred(nodes.get(node)) && !live.settled(node, now)
                  ? live.settledAt(node)
                  : Optional.empty();
      if (at.isPresent()
          && at.get().isAfter(now)
          && (next.isEmpty() || at.get().isBefore(next.get()))) {
        next = at;
      }
    }
    return next.map(t -> Duration.between(now, t)).orElse(null);
  }

  /** Logs each location whose leader changed since the mesh's last status. */
  static void logChanges(String mesh, List<LocationStatus> before, List<LocationStatus> after) {
    if (before == null || after == null) {
      return;
    }
    for (LocationStatus a : after) {
      before.stream()
          .filter(b -> b.getName().equals(a.getName()) && !b.getLeader().equals(a.getLeader()))
          .forEach(
              b ->
                  LOG.infof(
                      "mesh %s: location %s is now led by %s instead of %s",
                      mesh, a.getName(), a.getLeader(), b.getLeader()));
    }
  }
}
