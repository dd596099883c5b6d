package dev.wiremesh.planner.nat;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.planner.mesh.MeshPlan;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The nodes of a planned mesh as NAT traversal sees them: their keys, advertised endpoints, which
 * are gateways, and the tunnels each holds by its planned configuration (full mesh or locations
 * alike: a pair is only ever decided for a tunnel the topology has).
 *
 * @param keyOf each node's public key as the others hold it
 * @param nodeByKey every key a node is known under (the planned one, and the one an agent still
 *     reports it under while its key rotates)
 * @param advertised each node's advertised endpoint (its agent's, or its InternalIP)
 * @param gateways the nodes that are gateways in the plan (in Locations mode, the gateway leaders)
 * @param tunnels each node's node peers, by name
 */
public record NatMembers(
    Map<String, String> keyOf,
    Map<String, String> nodeByKey,
    SortedMap<String, String> advertised,
    Set<String> gateways,
    Map<String, Set<String>> tunnels) {

  public static NatMembers of(MeshPlan plan) {
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
    plan.identities().forEach((node, id) -> nodeByKey.putIfAbsent(id.publicKey(), node));
    return new NatMembers(
        keyOf, nodeByKey, advertised, gateways, tunnels(plan.configs(), nodeByKey));
  }

  /** The input of one pass of {@link NatPlanner#decide}. */
  public NatInput input(List<Sighting> sightings, Set<String> alive, List<String> relays) {
    return new NatInput(advertised, tunnels, sightings, alive, relays, gateways);
  }

  /** How many pairs of nodes holding a tunnel to each other are direct, and how many relayed. */
  public record PairCounts(int direct, int relayed) {}

  /** The pairs of nodes holding a tunnel to each other, counted by their path in {@code state}. */
  public PairCounts pairCounts(NatState state) {
    int direct = 0;
    int relayed = 0;
    for (var e : tunnels.entrySet()) {
      for (String other : e.getValue()) {
        if (e.getKey().compareTo(other) < 0
            && tunnels.getOrDefault(other, Set.of()).contains(e.getKey())) {
          if (state.relayOf(e.getKey(), other) != null) {
            relayed++;
          } else {
            direct++;
          }
        }
      }
    }
    return new PairCounts(direct, relayed);
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
}
