package dev.wiremesh.planner.topology;

import java.util.List;

/**
 * What the planner needs from a WireGuardMesh spec.
 *
 * @param pools the address pools, CIDR strings (for the interface addresses' prefix)
 * @param persistentKeepalive seconds, 0 = off
 * @param externalPeerPools the parts of the pools reserved for external peers, in effect (defaults
 *     applied: {@link dev.wiremesh.planner.ipam.ExternalPeerPools#of}), canonical CIDR strings;
 *     empty: none, every external peer's addresses are routed one by one
 */
public record MeshSettings(
    String interfaceName,
    int listenPort,
    int mtu,
    int persistentKeepalive,
    boolean routePodCIDRs,
    List<String> pools,
    List<String> externalPeerPools) {
  public MeshSettings {
    pools = List.copyOf(pools);
    externalPeerPools = List.copyOf(externalPeerPools);
  }

  /** Settings without a part of the pools reserved for external peers. */
  public MeshSettings(
      String interfaceName,
      int listenPort,
      int mtu,
      int persistentKeepalive,
      boolean routePodCIDRs,
      List<String> pools) {
    this(interfaceName, listenPort, mtu, persistentKeepalive, routePodCIDRs, pools, List.of());
  }
}
