package dev.wiremesh.planner.locations;

import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * From a mesh in mode Locations and its nodes to the location plan: each node's location (its
 * label's value, else its own name), the preferred leaders ({@code wiremesh.dev/leader: "true"}),
 * the leaders chosen starting from those in the mesh's status (a node the gatewaySelector selects
 * first among equals), external peers attached to the leaders of the locations with a selected
 * node, and {@link LocationPlanner}'s plan.
 */
public final class MeshLocations {

  private MeshLocations() {}

  /**
   * @param locations each location with its leader and size, for the mesh's status
   * @param members the members as planned: the gateways are the leaders that hold the external
   *     peers ({@link LocationPlan#gateways}), whether or not the gatewaySelector selects them
   */
  public record Result(
      LocationPlan plan, Map<String, NodeMember> members, List<LocationStatus> locations) {}

  public static Result plan(
      WireGuardMesh mesh,
      MeshSettings settings,
      Map<String, NodeMember> members,
      Map<String, Node> nodes,
      NodeLiveness liveness,
      Collection<ExternalMember> externals) {
    MeshTopology topology = mesh.getSpec().effectiveTopology();
    Map<String, String> locationOf = new TreeMap<>();
    Map<String, List<LocationLeaders.Candidate>> candidates = new TreeMap<>();
    for (NodeMember m : members.values()) {
      Node node = nodes.get(m.name());
      String location = location(node, topology.effectiveLocationLabel(), m.name());
      locationOf.put(m.name(), location);
      boolean alive = liveness.alive(m.name()) && !notReady(node);
      candidates
          .computeIfAbsent(location, k -> new ArrayList<>())
          .add(
              new LocationLeaders.Candidate(
                  m.name(),
                  preferred(node),
                  m.gateway(),
                  alive,
                  alive && liveness.settled(m.name())));
    }
    Map<String, String> current = new HashMap<>();
    if (mesh.getStatus() != null && mesh.getStatus().getLocations() != null) {
      mesh.getStatus().getLocations().forEach(l -> current.put(l.getName(), l.getLeader()));
    }
    SortedMap<String, String> leaders = LocationLeaders.elect(candidates, current);

    LocationPlan plan =
        LocationPlanner.plan(
            settings,
            members.values(),
            externals,
            locationOf,
            leaders,
            topology.effectiveIntraLocation() == MeshTopology.IntraLocation.Direct);
    // Gateways as planned: the leaders of the locations with a selected node, nobody else.
    Map<String, NodeMember> planned = new TreeMap<>();
    members.forEach(
        (name, m) ->
            planned.put(
                name,
                m.gateway() == plan.gateways().contains(name)
                    ? m
                    : new NodeMember(
                        m.name(),
                        m.publicKey(),
                        m.endpoint(),
                        m.addresses(),
                        m.podCIDRs(),
                        plan.gateways().contains(name))));
    List<LocationStatus> locations = new ArrayList<>();
    plan.locations()
        .forEach(
            (location, leader) ->
                locations.add(
                    new LocationStatus(
                        location,
                        leader,
                        (int) locationOf.values().stream().filter(location::equals).count())));
    return new Result(plan, planned, locations);
  }

  /** The node's location: its label's value, or its name when it has no such label. */
  public static String location(Node node, String label, String name) {
    if (node != null && node.getMetadata().getLabels() != null) {
      String v = node.getMetadata().getLabels().get(label);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return name;
  }

  /** Whether the Node carries {@code wiremesh.dev/leader: "true"}. */
  public static boolean preferred(Node node) {
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
