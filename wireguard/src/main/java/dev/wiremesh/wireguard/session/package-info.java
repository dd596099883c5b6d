/**
 * Sessions: a peer's keypairs (previous, current, next) and their counters, the device's
 * receiver-index table ({@link dev.wiremesh.wireguard.session.IndexTable}) and the per-keypair
 * anti-replay window ({@link dev.wiremesh.wireguard.session.ReplayFilter}, RFC 6479). No I/O and no
 * threads; time comes from the caller.
 */
package dev.wiremesh.wireguard.session;
