package dev.wiremesh.planner.locations;

import static dev.wiremesh.planner.topology.TopologyPlanner.sortedUnique;

import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.ipam.Cidr;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.ExternalNetworks;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.PlannedPeer;
import dev.wiremesh.planner.topology.TopologyPlanner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plans every node's device in a mesh of locations, once the leaders are chosen ({@link
 * LocationLeaders}).
 *
 * <ul>
 *   <li>Each leader has a peer per other location: that location's leader, with allowed IPs every
 *       tunnel address (and, with routePodCIDRs, every podCIDR) of that location's nodes. The
 *       leaders forward.
 *   <li><b>Encrypted</b> (default): inside a location, a full mesh as in {@link TopologyPlanner}. A
 *       member's entry for its leader also carries the mesh's pools (the other locations' tunnel
 *       addresses: the same-location nodes' /32 and /128 entries are more specific) and the other
 *       locations' podCIDRs, so it reaches every other location through its leader.
 *   <li><b>Direct</b>: no tunnel inside a location. A member has no WireGuard peer; it reaches the
 *       nodes of its location at their own address (the host of their endpoint) and everything else
 *       through its leader's, by {@link PlannedRoute}s. A leader routes to its members the same
 *       way. Interface addresses are host routes (/32, /128), so the pools are not routed to the
 *       interface. A route needs a next hop of the destination's family: with an IPv4-only network
 *       between the nodes, IPv6 tunnel addresses are not routed in Direct mode.
 *   <li>External peers attach to leaders only. A location is a gateway location when the
 *       gatewaySelector selects any of its nodes ({@link NodeMember#gateway}), and its leader,
 *       whichever node that is, holds the external peers: a selected member does not lose them to
 *       nowhere, and they follow the role when the leader fails over. The first gateway leader by
 *       name carries them for every other leader, as the first gateway does in a full mesh: the
 *       other leaders' entry for it holds the external peers' pools, their addresses outside those
 *       and the networks behind them ({@link ExternalNetworks}); members reach the pools through
 *       their leader as part of the mesh's pools.
 * </ul>
 *
 * Everything is sorted, so equal inputs give equal plans in any input order.
 */
public final class LocationPlanner {

  private LocationPlanner() {}

  /**
   * @param locationOf each node's location; a node missing here is a location of its own
   * @param leaders each location's leader (a location without one, or whose leader is not among its
   *     nodes, is led by its first node by name)
   * @param direct Direct rather than Encrypted inside a location
   */
  public static LocationPlan plan(
      MeshSettings mesh,
      Collection<NodeMember> nodes,
      Collection<ExternalMember> externals,
      Map<String, String> locationOf,
      Map<String, String> leaders,
      boolean direct) {
    List<Cidr> pools = mesh.pools().stream().map(Cidr::parse).toList();
    SortedMap<String, List<NodeMember>> locations = new TreeMap<>();
    nodes.stream()
        .sorted(Comparator.comparing(NodeMember::name))
        .forEach(
            n ->
                locations
                    .computeIfAbsent(
                        locationOf.getOrDefault(n.name(), n.name()), k -> new ArrayList<>())
                    .add(n));
    SortedMap<String, NodeMember> leaderOf = new TreeMap<>();
    locations.forEach(
        (loc, members) ->
            leaderOf.put(
                loc,
                members.stream()
                    .filter(m -> m.name().equals(leaders.get(loc)))
                    .findFirst()
                    .orElse(members.getFirst())));

    List<PlannedPeer> externalPeers =
        externals.stream().map(e -> TopologyPlanner.externalPeer(mesh, e)).toList();
    List<String> externalNetworks = ExternalNetworks.throughGateway(mesh, externals);
    SortedSet<String> gateways = new TreeSet<>();
    locations.forEach(
        (loc, members) -> {
          if (members.stream().anyMatch(NodeMember::gateway)) {
            gateways.add(leaderOf.get(loc).name());
          }
        });
    String firstGateway = gateways.isEmpty() ? null : gateways.first();
    boolean routeExternals = firstGateway != null && !externalNetworks.isEmpty();

    // What each location holds, and each leader as the other leaders' peer.
    Map<String, List<String>> locationNetworks = new TreeMap<>();
    Map<String, PlannedPeer> leaderPeers = new TreeMap<>();
    locations.forEach(
        (loc, members) -> {
          List<String> held = new ArrayList<>();
          members.forEach(m -> held.addAll(TopologyPlanner.nodePeer(mesh, m).allowedIPs()));
          locationNetworks.put(loc, sortedUnique(held));
          NodeMember l = leaderOf.get(loc);
          if (routeExternals && l.name().equals(firstGateway)) {
            held.addAll(externalNetworks);
          }
          leaderPeers.put(
              loc,
              new PlannedPeer(
                  l.publicKey(),
                  null,
                  l.endpoint(),
                  sortedUnique(held),
                  mesh.persistentKeepalive()));
        });

    Map<String, PlannedDevice> devices = new TreeMap<>();
    Map<String, NodeRole> roles = new TreeMap<>();
    Map<String, List<PlannedRoute>> routes = new TreeMap<>();
    locations.forEach(
        (loc, members) -> {
          NodeMember leader = leaderOf.get(loc);
          // What this location's members reach through their leader.
          List<String> elsewhere = new ArrayList<>();
          mesh.pools().forEach(p -> elsewhere.add(Addresses.canonicalNetwork(p)));
          if (mesh.routePodCIDRs()) {
            locations.forEach(
                (other, ms) -> {
                  if (!other.equals(loc)) {
                    ms.forEach(
                        m ->
                            m.podCIDRs()
                                .forEach(c -> elsewhere.add(Addresses.canonicalNetwork(c))));
                  }
                });
          }
          if (routeExternals) {
            externals.forEach(
                e -> e.allowedIPs().forEach(a -> elsewhere.add(Addresses.canonicalNetwork(a))));
          }
          for (NodeMember n : members) {
            boolean isLeader = n == leader;
            roles.put(n.name(), new NodeRole(loc, isLeader));
            List<PlannedPeer> peers = new ArrayList<>();
            List<PlannedRoute> directRoutes = new ArrayList<>();
            if (isLeader) {
              leaderPeers.forEach(
                  (other, p) -> {
                    if (!other.equals(loc)) {
                      peers.add(p);
                    }
                  });
              if (gateways.contains(n.name())) {
                peers.addAll(externalPeers);
              }
            }
            for (NodeMember m : members) {
              if (m == n) {
                continue;
              }
              PlannedPeer entry = TopologyPlanner.nodePeer(mesh, m);
              if (direct) {
                directRoutes.addAll(routesVia(entry.allowedIPs(), m, n));
              } else if (!isLeader && m == leader) {
                List<String> allowed = new ArrayList<>(entry.allowedIPs());
                allowed.addAll(elsewhere);
                peers.add(
                    new PlannedPeer(
                        entry.publicKey(),
                        null,
                        entry.endpoint(),
                        sortedUnique(allowed),
                        entry.persistentKeepalive()));
              } else {
                peers.add(entry);
              }
            }
            if (direct && !isLeader) {
              directRoutes.addAll(routesVia(elsewhere, leader, n));
            }
            peers.sort(Comparator.comparing(PlannedPeer::publicKey));
            directRoutes.sort(
                Comparator.comparing(PlannedRoute::to, Addresses.NETWORK_ORDER)
                    .thenComparing(PlannedRoute::via));
            if (direct) {
              routes.put(n.name(), List.copyOf(directRoutes));
            }
            devices.put(
                n.name(),
                new PlannedDevice(
                    n.name(),
                    mesh.interfaceName(),
                    direct
                        ? TopologyPlanner.interfaceAddresses(n.addresses(), List.of())
                        : TopologyPlanner.interfaceAddresses(n.addresses(), pools),
                    mesh.listenPort(),
                    mesh.mtu(),
                    peers));
          }
        });
    SortedMap<String, String> leaderNames = new TreeMap<>();
    leaderOf.forEach((loc, l) -> leaderNames.put(loc, l.name()));
    return new LocationPlan(
        devices, roles, routes, leaderNames, Collections.unmodifiableSortedSet(gateways));
  }

  /**
   * Routes from {@code self} to {@code networks} via {@code next}'s own address (the host of its
   * endpoint), each with {@code self}'s tunnel address of the same family as source; networks of a
   * family {@code next} has no address of are left out.
   */
  static List<PlannedRoute> routesVia(List<String> networks, NodeMember next, NodeMember self) {
    String via = host(next.endpoint());
    if (via == null) {
      return List.of();
    }
    boolean v6 = via.contains(":");
    String src =
        self.addresses().stream()
            .map(a -> a.contains("/") ? a.substring(0, a.indexOf('/')) : a)
            .filter(a -> a.contains(":") == v6)
            .findFirst()
            .orElse(null);
    List<PlannedRoute> out = new ArrayList<>();
    for (String network : networks) {
      if (network.contains(":") == v6) {
        out.add(new PlannedRoute(Addresses.canonicalNetwork(network), via, src));
      }
    }
    return out;
  }

  /** The host of a host:port endpoint ("[v6]:port" gives v6), or null. */
  static String host(String endpoint) {
    if (endpoint == null) {
      return null;
    }
    if (endpoint.startsWith("[")) {
      int end = endpoint.indexOf(']');
      return end > 0 ? endpoint.substring(1, end) : null;
    }
    int colon = endpoint.lastIndexOf(':');
    return colon > 0 ? endpoint.substring(0, colon) : null;
  }
}
