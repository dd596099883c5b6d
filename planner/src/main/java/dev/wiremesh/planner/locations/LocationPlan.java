package dev.wiremesh.planner.locations;

import dev.wiremesh.planner.topology.PlannedDevice;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * What the location planner decided: every node's device, its role, whether it forwards (leaders
 * do), and its routes over the location's own network (Direct mode only).
 *
 * @param locations location name to its leader, sorted by name
 * @param gateways the leaders that hold the external peers: those of the locations in which the
 *     gatewaySelector selects a node, sorted
 */
public record LocationPlan(
    Map<String, PlannedDevice> devices,
    Map<String, NodeRole> roles,
    Map<String, List<PlannedRoute>> routes,
    SortedMap<String, String> locations,
    SortedSet<String> gateways) {

  public boolean forwarding(String node) {
    NodeRole r = roles.get(node);
    return r != null && r.leader();
  }

  public List<PlannedRoute> routes(String node) {
    return routes.getOrDefault(node, List.of());
  }
}
