package dev.wiremesh.planner.topology;

import java.util.List;

/**
 * A node that takes part in the mesh, once its agent reported its identity and IPAM gave it
 * addresses.
 *
 * @param name the Node's name
 * @param publicKey base64 of the agent's public key
 * @param endpoint host:port other nodes reach it at (IPv6 in brackets)
 * @param addresses its tunnel addresses, plain IPs
 * @param podCIDRs the Node's spec.podCIDRs
 * @param gateway whether the mesh's gatewaySelector selects it
 */
public record NodeMember(
    String name,
    String publicKey,
    String endpoint,
    List<String> addresses,
    List<String> podCIDRs,
    boolean gateway) {
  public NodeMember {
    addresses = List.copyOf(addresses);
    podCIDRs = List.copyOf(podCIDRs);
  }
}
