/**
 * Replays of handshake initiations, refused before they cost anything: {@link
 * dev.wiremesh.wireguard.antireplay.KnownInitiations} remembers the ephemeral keys of the
 * initiations a device accepted, so that a captured initiation sent again is dropped by one table
 * lookup on the receiving thread instead of a Diffie-Hellman on the handshake thread. (Replayed
 * transport messages are the per-keypair {@link dev.wiremesh.wireguard.session.ReplayFilter}'s.)
 */
package dev.wiremesh.wireguard.antireplay;
