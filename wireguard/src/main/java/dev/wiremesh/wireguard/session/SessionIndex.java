package dev.wiremesh.wireguard.session;

/**
 * What a receiver index names in the device's {@link IndexTable} once a handshake completed: one
 * keypair of one peer session. (While a handshake is pending, the index names the {@link
 * PeerSession} itself.)
 */
public record SessionIndex(PeerSession<?> session, Keypair keypair) {}
