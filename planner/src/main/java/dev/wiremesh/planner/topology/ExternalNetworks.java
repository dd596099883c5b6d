package dev.wiremesh.planner.topology;

import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.ipam.Cidr;
import dev.wiremesh.planner.ipam.ExternalPeerPools;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a node that holds no external peer routes to the gateway that carries them (the first
 * gateway in a full mesh, the first gateway leader between leaders): WireGuard sends a packet only
 * to the peer whose allowed IPs hold its destination and takes one only from the peer whose allowed
 * IPs hold its source, so these must be on that one entry.
 *
 * <ul>
 *   <li>The external peers' pools ({@link MeshSettings#externalPeerPools}), each as one prefix,
 *       whether or not anyone holds an address in them yet: a new external peer with an address
 *       from them changes only the gateways, which get the peer.
 *   <li>Each external peer's addresses outside those pools (chosen by the user, or allocated before
 *       the pools existed), one by one, as before the pools: nothing breaks on upgrade, and such a
 *       peer changes every node when it comes or goes.
 *   <li>The networks behind external peers (their allowedIPs, e.g. a site's LAN): one by one, so a
 *       site with networks behind it changes every node's entry for the gateway, and the plan shows
 *       it.
 * </ul>
 */
public final class ExternalNetworks {

  private ExternalNetworks() {}

  /** Sorted, without duplicates; empty when there is neither pool nor external peer. */
  public static List<String> throughGateway(
      MeshSettings mesh, Collection<ExternalMember> externals) {
    List<Cidr> pools = mesh.externalPeerPools().stream().map(Cidr::parse).toList();
    List<String> out = new ArrayList<>(mesh.externalPeerPools());
    for (ExternalMember e : externals) {
      for (String a : e.addresses()) {
        String network = Addresses.canonicalNetwork(a);
        Cidr host = Cidr.parse(network);
        if (!ExternalPeerPools.contains(pools, host.network())) {
          out.add(network);
        }
      }
      e.allowedIPs().forEach(a -> out.add(Addresses.canonicalNetwork(a)));
    }
    return TopologyPlanner.sortedUnique(out);
  }
}
