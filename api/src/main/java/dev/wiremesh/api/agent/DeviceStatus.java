package dev.wiremesh.api.agent;

import java.util.List;

/** What the agent reports: the hash of the config it applied, and its peers' state. */
public record DeviceStatus(
    String appliedHash, String publicKey, int listenPort, List<PeerStatus> peers) {
  public DeviceStatus {
    peers = peers == null ? List.of() : List.copyOf(peers);
  }
}
