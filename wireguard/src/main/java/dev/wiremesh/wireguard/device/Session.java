package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.session.Keypair;

/** What a receiver index names once a handshake completed: a peer's keypair. */
record Session(Peer peer, Keypair keypair) {}
