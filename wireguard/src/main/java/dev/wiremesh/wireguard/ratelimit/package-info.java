/**
 * The per-source rate limit on handshake messages ({@link
 * dev.wiremesh.wireguard.ratelimit.RateLimiter}) that protects a device under load: a bounded table
 * of token buckets, IPv6 keyed by /64, time from the injected clock, no threads.
 */
package dev.wiremesh.wireguard.ratelimit;
