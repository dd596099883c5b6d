/**
 * Sessions: one peer's protocol without I/O ({@link dev.wiremesh.wireguard.session.PeerSession},
 * its fine-grained steps, and {@link dev.wiremesh.wireguard.session.Tunnel}, the synchronous
 * encapsulate/decapsulate/updateTimers over them, returning {@link
 * dev.wiremesh.wireguard.session.Output}s), a peer's keypairs (previous, current, next) and their
 * counters, the device's receiver-index table ({@link dev.wiremesh.wireguard.session.IndexTable})
 * and the per-keypair anti-replay window ({@link dev.wiremesh.wireguard.session.ReplayFilter}, RFC
 * 6479). No I/O and no threads; time comes from an injected clock.
 */
package dev.wiremesh.wireguard.session;
