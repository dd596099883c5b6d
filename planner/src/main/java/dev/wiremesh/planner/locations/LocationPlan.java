package dev.wiremesh.planner.locations;

import dev.wiremesh.planner.topology.PlannedDevice;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What the location planner decided: every node's device, its role, whether it forwards (leaders
 * do), and its routes over the location's own network (Direct mode only).
 *
 * @param locations location name to its leader, sorted by name
 */
public record LocationPlan(
    Map<String, PlannedDevice> devices,
    Map<String, NodeRole> roles,
    Map<String, List<PlannedRoute>> routes,
    SortedMap<String, String> locations) {

  public boolean forwarding(String node) {
    NodeRole r = roles.get(node);
    return r != null && r.leader();
  }

  public List<PlannedRoute> routes(String node) {
    return routes.getOrDefault(node, List.of());
  }
}
