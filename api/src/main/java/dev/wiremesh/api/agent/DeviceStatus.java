package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the agent reports: the hash of the config it applied, its peers' state, and its must-encrypt
 * enforcement ({@code encryption}; absent from an agent that predates the policy).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceStatus(
    String appliedHash,
    String publicKey,
    int listenPort,
    List<PeerStatus> peers,
    EncryptionStatus encryption) {
  public DeviceStatus {
    peers = peers == null ? List.of() : List.copyOf(peers);
  }

  /** A status without an encryption report, as agents before the policy answer. */
  public DeviceStatus(
      String appliedHash, String publicKey, int listenPort, List<PeerStatus> peers) {
    this(appliedHash, publicKey, listenPort, peers, null);
  }
}
