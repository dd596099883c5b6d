package dev.wiremesh.api.agent;

/**
 * One peer as the device sees it.
 *
 * @param lastHandshake seconds since the epoch of the latest handshake, 0 if none yet
 */
public record PeerStatus(
    String publicKey, String endpoint, long lastHandshake, long rxBytes, long txBytes) {}
