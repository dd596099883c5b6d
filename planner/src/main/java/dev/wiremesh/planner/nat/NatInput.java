package dev.wiremesh.planner.nat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * What NAT traversal decides from, on one pass.
 *
 * @param advertised every node's advertised endpoint (its agent's, or its InternalIP), by name
 * @param peers each node's planned node peers (the tunnels it has), by name
 * @param sightings the believed reports ({@link Sightings#believed})
 * @param alive the nodes whose agent answered this pass
 * @param relays the mesh's pinned relays in order (spec.natTraversal.relays); empty: not pinned
 * @param gateways the nodes the mesh's gatewaySelector selects
 */
public record NatInput(
    SortedMap<String, String> advertised,
    Map<String, Set<String>> peers,
    List<Sighting> sightings,
    Set<String> alive,
    List<String> relays,
    Set<String> gateways) {}
