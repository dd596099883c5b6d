package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.operator.topology.ExternalMember;
import dev.wiremesh.operator.topology.MeshSettings;
import dev.wiremesh.operator.topology.NodeMember;
import dev.wiremesh.operator.topology.TopologyPlanner;
import dev.wiremesh.operator.topology.locations.AgentLiveness;
import dev.wiremesh.operator.topology.locations.LocationLeaders;
import dev.wiremesh.operator.topology.locations.LocationPlan;
import dev.wiremesh.operator.topology.locations.LocationPlanner;
import io.fabric8.kubernetes.api.model.Node;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Plans a mesh in the topology its spec asks for: the full mesh, or locations — reading each node's
 * location label and leader annotation, keeping track of which agents answer ({@link
 * AgentLiveness}, per mesh, for the life of the operator), choosing the leaders ({@link
 * LocationLeaders}) starting from those in the mesh's status, and planning ({@link
 * LocationPlanner}).
 */
@ApplicationScoped
public class LocationTopology {

  private static final Logger LOG = Logger.getLogger(LocationTopology.class);

  @Inject OperatorConfig config;
  @Inject Clock clock;

  private final Map<String, AgentLiveness> liveness = new ConcurrentHashMap<>();

  /**
   * @param answered the nodes whose agent answered this pass's status poll
   */
  MeshPlan plan(
      WireGuardMesh mesh,
      MeshSettings settings,
      Map<String, NodeMember> members,
      Map<String, Node> nodes,
      Set<String> answered,
      Collection<ExternalMember> externals) {
    MeshTopology topology = mesh.getSpec().effectiveTopology();
    String meshName = mesh.getMetadata().getName();
    if (topology.effectiveMode() != MeshTopology.Mode.Locations) {
      liveness.remove(meshName);
      return MeshPlan.fullMesh(
          TopologyPlanner.plan(settings, members.values(), externals), members);
    }
    Instant now = clock.instant();
    AgentLiveness live =
        liveness.computeIfAbsent(
            meshName, k -> new AgentLiveness(config.topology().failoverAfter()));
    live.retainOnly(members.keySet());

    Map<String, String> locationOf = new TreeMap<>();
    Map<String, List<LocationLeaders.Candidate>> candidates = new TreeMap<>();
    for (NodeMember m : members.values()) {
      Node node = nodes.get(m.name());
      live.observe(m.name(), answered.contains(m.name()) && !notReady(node), now);
      String location = location(node, topology.effectiveLocationLabel(), m.name());
      locationOf.put(m.name(), location);
      candidates
          .computeIfAbsent(location, k -> new ArrayList<>())
          .add(
              new LocationLeaders.Candidate(
                  m.name(),
                  preferred(node),
                  live.alive(m.name(), now),
                  live.settled(m.name(), now)));
    }
    Map<String, String> current = new HashMap<>();
    if (mesh.getStatus() != null && mesh.getStatus().getLocations() != null) {
      mesh.getStatus().getLocations().forEach(l -> current.put(l.getName(), l.getLeader()));
    }
    Map<String, String> leaders = LocationLeaders.elect(candidates, current);
    leaders.forEach(
        (location, leader) -> {
          String before = current.get(location);
          if (before != null && !before.equals(leader)) {
            LOG.infof(
                "mesh %s: location %s is now led by %s instead of %s (%s)",
                meshName,
                location,
                leader,
                before,
                members.containsKey(before) && live.alive(before, now)
                    ? "the preferred leader is back"
                    : "its agent has not answered for " + live.failoverAfter().toSeconds() + "s");
          }
        });

    // External peers attach to leaders only.
    Map<String, NodeMember> planned = new TreeMap<>();
    members.forEach(
        (name, m) ->
            planned.put(
                name,
                m.gateway() && name.equals(leaders.get(locationOf.get(name)))
                    ? m
                    : new NodeMember(
                        m.name(),
                        m.publicKey(),
                        m.endpoint(),
                        m.addresses(),
                        m.podCIDRs(),
                        false)));
    LocationPlan plan =
        LocationPlanner.plan(
            settings,
            planned.values(),
            externals,
            locationOf,
            leaders,
            topology.effectiveIntraLocation() == MeshTopology.IntraLocation.Direct);
    List<LocationStatus> locations = new ArrayList<>();
    plan.locations()
        .forEach(
            (location, leader) ->
                locations.add(
                    new LocationStatus(
                        location,
                        leader,
                        (int) locationOf.values().stream().filter(location::equals).count())));
    return new MeshPlan(
        plan.devices(),
        planned,
        plan.roles(),
        plan.routes(),
        locations,
        recheck(live, candidates, leaders, now));
  }

  /**
   * The time until the earliest moment the leaders could change without any event: a leader's
   * failover time running out, or a preferred node settling.
   */
  private static Duration recheck(
      AgentLiveness live,
      Map<String, List<LocationLeaders.Candidate>> candidates,
      Map<String, String> leaders,
      Instant now) {
    Optional<Instant> next = Optional.empty();
    for (var e : candidates.entrySet()) {
      String leader = leaders.get(e.getKey());
      for (LocationLeaders.Candidate c : e.getValue()) {
        Optional<Instant> at =
            c.node().equals(leader)
                ? live.aliveUntil(c.node(), now).map(t -> t.plusMillis(1))
                : c.preferred() && !c.settled() ? live.settledAt(c.node()) : Optional.empty();
        if (at.isPresent() && at.get().isAfter(now)) {
          next = next.isEmpty() || at.get().isBefore(next.get()) ? at : next;
        }
      }
    }
    return next.map(t -> Duration.between(now, t)).orElse(null);
  }

  /** The node's location: its label's value, or its name when it has no such label. */
  static String location(Node node, String label, String name) {
    if (node != null && node.getMetadata().getLabels() != null) {
      String v = node.getMetadata().getLabels().get(label);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return name;
  }

  static boolean preferred(Node node) {
    return node != null
        && node.getMetadata().getAnnotations() != null
        && "true".equals(node.getMetadata().getAnnotations().get(MeshTopology.LEADER_ANNOTATION));
  }

  /** Whether the Node's Ready condition says it is not (False or Unknown). */
  static boolean notReady(Node node) {
    return node != null
        && node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && !"True".equals(c.getStatus()));
  }
}
