package dev.wiremesh.cli.plan;

import java.util.List;

/**
 * What changes on one node's device.
 *
 * @param peer the node's WireGuardPeer
 * @param hashBefore the configuration's hash now, or null for a node that joins
 * @param hashAfter its hash after the change, or null for a node that leaves
 * @param interfaceChanges interface settings that change: "listen port 51820 -> 51821"
 */
public record NodeChange(
    String node,
    String peer,
    String hashBefore,
    String hashAfter,
    List<String> interfaceChanges,
    List<PeerChange> peers) {

  /**
   * One [Peer] entry that is added, removed or changed.
   *
   * @param sign "+", "-" or "~"
   * @param details what it holds (added, removed) or what changes (changed)
   */
  public record PeerChange(String sign, String name, String publicKey, List<String> details) {}
}
