package dev.wiremesh.planner.topology;

import java.util.List;

/**
 * One [Peer] of a node's device, as the planner decided it. Mapped 1:1 to the protocol's
 * PeerConfig.
 */
public record PlannedPeer(
    String publicKey,
    String presharedKey,
    String endpoint,
    List<String> allowedIPs,
    int persistentKeepalive) {
  public PlannedPeer {
    allowedIPs = List.copyOf(allowedIPs);
  }

  @Override
  public String toString() {
    return "PlannedPeer["
        + publicKey
        + ", "
        + endpoint
        + ", "
        + allowedIPs
        + ", keepalive="
        + persistentKeepalive
        + ", presharedKey="
        + (presharedKey == null ? "none" : "<redacted>")
        + "]";
  }
}
