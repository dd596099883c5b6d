package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.operator.topology.NodeMember;
import dev.wiremesh.operator.topology.PlannedDevice;
import dev.wiremesh.operator.topology.locations.NodeRole;
import dev.wiremesh.operator.topology.locations.PlannedRoute;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A mesh's plan for one pass, in either topology: every node's device, and with locations the
 * nodes' roles, leaders' forwarding, Direct mode's routes and the locations for the mesh's status.
 *
 * @param members the node members as planned (with locations, only leaders remain gateways)
 * @param recheckIn when the leaders must be looked at again (a silent leader's failover time runs
 *     out, a preferred node settles), or null
 */
record MeshPlan(
    Map<String, PlannedDevice> devices,
    Map<String, NodeMember> members,
    Map<String, NodeRole> roles,
    Map<String, List<PlannedRoute>> routes,
    List<LocationStatus> locations,
    Duration recheckIn) {

  static MeshPlan fullMesh(Map<String, PlannedDevice> devices, Map<String, NodeMember> members) {
    return new MeshPlan(devices, members, Map.of(), Map.of(), null, null);
  }

  boolean forwarding(String node) {
    NodeRole r = roles.get(node);
    return r != null && r.leader();
  }

  List<PlannedRoute> routes(String node) {
    return routes.getOrDefault(node, List.of());
  }
}
