package dev.wiremesh.planner.mesh;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.planner.ipam.AddressOutcome;
import dev.wiremesh.planner.locations.NodeRole;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import java.util.List;
import java.util.Map;

/**
 * What the planner made of a mesh's resources: every peer's addresses, the members that take part,
 * every node's planned device and the DeviceConfig (with its hash) the node's agent is to hold.
 *
 * @param addresses IPAM's outcome by peer name (active peers only)
 * @param invalid external peers left out, by name, with the reason (names the field, never a key)
 * @param identities the identity each node member was planned with
 * @param configs the protocol's configuration per node, with hash; peer entries are shared
 * @param roles with topology mode Locations, each node's location and whether it leads it; else
 *     empty
 * @param locations with topology mode Locations, each location with its leader; else null
 */
public record MeshPlan(
    MeshSettings settings,
    Map<String, AddressOutcome> addresses,
    Map<String, NodeMember> nodes,
    Map<String, ExternalMember> externals,
    Map<String, String> invalid,
    Map<String, Identity> identities,
    Map<String, PlannedDevice> devices,
    Map<String, DeviceConfig> configs,
    Map<String, NodeRole> roles,
    List<LocationStatus> locations) {

  /** This plan with other configurations (the same planned devices, written otherwise). */
  public MeshPlan withConfigs(Map<String, DeviceConfig> next) {
    return new MeshPlan(
        settings,
        addresses,
        nodes,
        externals,
        invalid,
        identities,
        devices,
        next,
        roles,
        locations);
  }
}
