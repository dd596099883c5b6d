package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One peer of a node's device. The preshared key (base64) is the one secret the protocol carries,
 * to the node that needs it, over mutual TLS; {@link #toString()} never shows it.
 *
 * @param publicKey base64 of 32 bytes
 * @param presharedKey base64 of 32 bytes, or null for none
 * @param endpoint host:port (IPv6 in brackets), or null if the peer is reached once it connects
 * @param allowedIPs CIDRs routed to the peer
 * @param persistentKeepalive seconds, 0 for none
 * @param previousPublicKey while the peer's key rotates: the key it had before, so that an agent
 *     holding the peer under that key re-keys the entry in place (its sessions go on) instead of
 *     removing it and adding a new one; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PeerConfig(
    String publicKey,
    String presharedKey,
    String endpoint,
    List<String> allowedIPs,
    int persistentKeepalive,
    String previousPublicKey) {
  public PeerConfig {
    allowedIPs = allowedIPs == null ? List.of() : List.copyOf(allowedIPs);
  }

  /** A peer whose key is not rotating. */
  public PeerConfig(
      String publicKey,
      String presharedKey,
      String endpoint,
      List<String> allowedIPs,
      int persistentKeepalive) {
    this(publicKey, presharedKey, endpoint, allowedIPs, persistentKeepalive, null);
  }

  /** This peer with {@code previous} as the key it rotates from (null: none). */
  public PeerConfig withPreviousPublicKey(String previous) {
    return new PeerConfig(
        publicKey, presharedKey, endpoint, allowedIPs, persistentKeepalive, previous);
  }

  @Override
  public String toString() {
    return "PeerConfig[publicKey="
        + publicKey
        + ", presharedKey="
        + (presharedKey == null ? "none" : "redacted")
        + ", endpoint="
        + endpoint
        + ", allowedIPs="
        + allowedIPs
        + ", persistentKeepalive="
        + persistentKeepalive
        + (previousPublicKey == null ? "" : ", previousPublicKey=" + previousPublicKey)
        + "]";
  }
}
