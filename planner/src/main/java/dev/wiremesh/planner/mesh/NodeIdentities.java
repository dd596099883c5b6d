package dev.wiremesh.planner.mesh;

import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;

/**
 * Where the planner gets a node's identity (public key, endpoints) from: the operator asks the
 * node's agent, the plugin reads what the operator recorded in the node peer's status.
 */
@FunctionalInterface
public interface NodeIdentities {

  /** The identity of {@code node}, whose WireGuardPeer is {@code peer}; null when none is known. */
  Identity of(String node, WireGuardPeer peer);

  /**
   * The identity as recorded in the node peer's status (the public key and where it was seen), or
   * null for a node that never had a working agent.
   */
  static Identity recorded(WireGuardPeer peer) {
    if (peer.getStatus() == null || peer.getStatus().getPublicKey() == null) {
      return null;
    }
    String seen = peer.getStatus().getEndpoint();
    return new Identity(
        peer.getStatus().getPublicKey(),
        0,
        seen == null ? java.util.List.of() : java.util.List.of(seen));
  }
}
