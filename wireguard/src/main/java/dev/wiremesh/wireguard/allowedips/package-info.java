/**
 * Crypto-key routing: {@link dev.wiremesh.wireguard.allowedips.AllowedIps}, the longest-prefix
 * tries (IPv4 and IPv6) that map a packet's address to the peer allowed to use it, and {@link
 * dev.wiremesh.wireguard.allowedips.IpPrefix}, the prefix value type with its strict text form.
 */
package dev.wiremesh.wireguard.allowedips;
