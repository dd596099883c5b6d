/**
 * The device: the I/O shell around the peers' {@link dev.wiremesh.wireguard.session.PeerSession}s.
 * It owns the TUN and UDP pipelines, the round-robin crypto workers, the per-peer ordered queues,
 * the handshake queue with its cookie and rate-limiter defence under load, the timer thread, and
 * the public configuration API ({@code configure*}, {@code snapshot}) that the UAPI and the node
 * agent use. Protocol decisions are the sessions'; this package carries them out.
 */
package dev.wiremesh.wireguard.device;
