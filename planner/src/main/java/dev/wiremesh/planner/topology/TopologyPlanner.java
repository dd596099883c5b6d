package dev.wiremesh.planner.topology;

import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.ipam.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plans every node's device: a full mesh between the nodes, and the external peers on the gateway
 * nodes.
 *
 * <ul>
 *   <li>A node's interface addresses are its tunnel addresses with the prefix of the pool they come
 *       from.
 *   <li>Its peers are every other node — allowed IPs: that node's tunnel addresses (/32, /128) and,
 *       with {@code routePodCIDRs}, its podCIDRs — and, on a gateway, every external peer — allowed
 *       IPs: its tunnel addresses and the networks behind it.
 *   <li>A node that is not a gateway reaches the external peers through the first gateway by name:
 *       that gateway's entry also carries the external peers' pools, their addresses outside those
 *       and the networks behind them ({@link ExternalNetworks}).
 *   <li>Keepalive: the mesh's, or an external peer's own when it sets one.
 * </ul>
 *
 * Everything is sorted (peers by public key, networks IPv4 first then by address), so equal inputs
 * give equal configurations in any input order.
 */
public final class TopologyPlanner {

  private TopologyPlanner() {}

  /** Every node's device configuration, by node name. */
  public static Map<String, PlannedDevice> plan(
      MeshSettings mesh, Collection<NodeMember> nodes, Collection<ExternalMember> externals) {
    List<Cidr> pools = mesh.pools().stream().map(Cidr::parse).toList();
    List<NodeMember> sortedNodes =
        nodes.stream().sorted(Comparator.comparing(NodeMember::name)).toList();

    List<PlannedPeer> externalPeers = new ArrayList<>();
    for (ExternalMember e : externals) {
      externalPeers.add(externalPeer(mesh, e));
    }

    Map<String, PlannedPeer> nodePeers = new TreeMap<>();
    for (NodeMember n : sortedNodes) {
      nodePeers.put(n.name(), nodePeer(mesh, n));
    }

    // Nodes that are not gateways reach the external peers through the first gateway by name (the
    // one whose [Peer] in the external peers' wg-quick files carries the mesh's pools).
    String firstGateway =
        sortedNodes.stream()
            .filter(NodeMember::gateway)
            .map(NodeMember::name)
            .findFirst()
            .orElse(null);
    PlannedPeer viaGateway = null;
    List<String> throughGateway = ExternalNetworks.throughGateway(mesh, externals);
    if (firstGateway != null && !throughGateway.isEmpty()) {
      PlannedPeer g = nodePeers.get(firstGateway);
      List<String> allowed = new ArrayList<>(g.allowedIPs());
      allowed.addAll(throughGateway);
      viaGateway =
          new PlannedPeer(
              g.publicKey(),
              g.presharedKey(),
              g.endpoint(),
              sortedUnique(allowed),
              g.persistentKeepalive());
    }

    Map<String, PlannedDevice> out = new TreeMap<>();
    for (NodeMember n : sortedNodes) {
      List<PlannedPeer> peers = new ArrayList<>();
      PlannedPeer gatewayEntry = n.gateway() ? null : viaGateway;
      nodePeers.forEach(
          (name, p) -> {
            if (!name.equals(n.name())) {
              peers.add(gatewayEntry != null && name.equals(firstGateway) ? gatewayEntry : p);
            }
          });
      if (n.gateway()) {
        peers.addAll(externalPeers);
      }
      peers.sort(Comparator.comparing(PlannedPeer::publicKey));
      out.put(
          n.name(),
          new PlannedDevice(
              n.name(),
              mesh.interfaceName(),
              interfaceAddresses(n.addresses(), pools),
              mesh.listenPort(),
              mesh.mtu(),
              peers));
    }
    return out;
  }

  /**
   * A node as another node's peer: allowed IPs its tunnel addresses and, with routePodCIDRs, its
   * podCIDRs.
   */
  public static PlannedPeer nodePeer(MeshSettings mesh, NodeMember n) {
    List<String> allowed = new ArrayList<>();
    n.addresses().forEach(a -> allowed.add(Addresses.canonicalNetwork(a)));
    if (mesh.routePodCIDRs()) {
      n.podCIDRs().forEach(c -> allowed.add(Addresses.canonicalNetwork(c)));
    }
    return new PlannedPeer(
        n.publicKey(), null, n.endpoint(), sortedUnique(allowed), mesh.persistentKeepalive());
  }

  /** An external peer as a gateway's peer: its tunnel addresses and the networks behind it. */
  public static PlannedPeer externalPeer(MeshSettings mesh, ExternalMember e) {
    List<String> allowed = new ArrayList<>();
    e.addresses().forEach(a -> allowed.add(Addresses.canonicalNetwork(a)));
    e.allowedIPs().forEach(a -> allowed.add(Addresses.canonicalNetwork(a)));
    return new PlannedPeer(
        e.publicKey(),
        e.presharedKey(),
        e.endpoint(),
        sortedUnique(allowed),
        e.persistentKeepalive() != null ? e.persistentKeepalive() : mesh.persistentKeepalive());
  }

  /** Tunnel addresses with their pool's prefix (a /32 or /128 when no pool holds them). */
  public static List<String> interfaceAddresses(List<String> addresses, List<Cidr> pools) {
    List<String> out = new ArrayList<>();
    for (String a : addresses) {
      InetAddress ip = Cidr.parseAddress(a.contains("/") ? a.substring(0, a.indexOf('/')) : a);
      int prefix =
          pools.stream()
              .filter(p -> p.contains(ip))
              .mapToInt(Cidr::prefix)
              .findFirst()
              .orElse(ip instanceof java.net.Inet4Address ? 32 : 128);
      out.add(Addresses.format(ip) + "/" + prefix);
    }
    out.sort(
        Comparator.comparing((String s) -> s.contains(":") ? 1 : 0)
            .thenComparing(s -> Cidr.toNumber(Cidr.parseAddress(s.substring(0, s.indexOf('/'))))));
    return out;
  }

  /** Networks without duplicates, IPv4 first, then by address and prefix. */
  public static List<String> sortedUnique(Collection<String> networks) {
    TreeSet<String> set = new TreeSet<>(Addresses.NETWORK_ORDER);
    set.addAll(networks);
    return List.copyOf(set);
  }
}
