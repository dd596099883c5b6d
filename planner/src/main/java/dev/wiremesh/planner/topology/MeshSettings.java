package dev.wiremesh.planner.topology;

import java.util.List;

/**
 * What the planner needs from a WireGuardMesh spec.
 *
 * @param pools the address pools, CIDR strings (for the interface addresses' prefix)
 * @param persistentKeepalive seconds, 0 = off
 */
public record MeshSettings(
    String interfaceName,
    int listenPort,
    int mtu,
    int persistentKeepalive,
    boolean routePodCIDRs,
    List<String> pools) {
  public MeshSettings {
    pools = List.copyOf(pools);
  }
}
