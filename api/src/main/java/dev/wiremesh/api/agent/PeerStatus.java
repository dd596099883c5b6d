package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One peer as the device sees it.
 *
 * @param lastHandshake seconds since the epoch of the latest handshake, 0 if none yet
 * @param nodeKeyUsed while the node's own key rotates: which of its public keys (previous or next)
 *     the last handshake with this peer used, that is the key the peer knows the node by; null
 *     otherwise or before any handshake
 * @param endpointSeen seconds since the epoch when an authenticated packet (a handshake message
 *     that passed its checks, or a transport message that decrypted and was no replay) last came
 *     from {@code endpoint}; null while the endpoint is only the configured one, and from agents
 *     that predate NAT traversal. The operator believes an endpoint only with it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PeerStatus(
    String publicKey,
    String endpoint,
    long lastHandshake,
    long rxBytes,
    long txBytes,
    String nodeKeyUsed,
    Long endpointSeen) {

  public PeerStatus(
      String publicKey, String endpoint, long lastHandshake, long rxBytes, long txBytes) {
    this(publicKey, endpoint, lastHandshake, rxBytes, txBytes, null, null);
  }

  public PeerStatus(
      String publicKey,
      String endpoint,
      long lastHandshake,
      long rxBytes,
      long txBytes,
      String nodeKeyUsed) {
    this(publicKey, endpoint, lastHandshake, rxBytes, txBytes, nodeKeyUsed, null);
  }
}
