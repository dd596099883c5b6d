package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One peer as the device sees it.
 *
 * @param lastHandshake seconds since the epoch of the latest handshake, 0 if none yet
 * @param nodeKeyUsed while the node's own key rotates: which of its public keys (previous or next)
 *     the last handshake with this peer used, that is the key the peer knows the node by; null
 *     otherwise or before any handshake
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PeerStatus(
    String publicKey,
    String endpoint,
    long lastHandshake,
    long rxBytes,
    long txBytes,
    String nodeKeyUsed) {

  public PeerStatus(
      String publicKey, String endpoint, long lastHandshake, long rxBytes, long txBytes) {
    this(publicKey, endpoint, lastHandshake, rxBytes, txBytes, null);
  }
}
