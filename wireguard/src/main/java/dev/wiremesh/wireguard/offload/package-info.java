/**
 * Which kernel offloads the data plane uses: the TUN's virtio-net header with TCP segmentation and
 * checksum offload, and the UDP sockets' segmentation ({@code UDP_SEGMENT}) and receive coalescing
 * ({@code UDP_GRO}). What the user allows ({@link dev.wiremesh.wireguard.offload.OffloadPolicy},
 * from {@code WIREMESH_WG_DISABLE_OFFLOADS}), and what the kernel accepted or later refused ({@link
 * dev.wiremesh.wireguard.offload.Offloads}), so a fallback is never silent: the daemon logs it and
 * the agent exports it as a metric.
 */
package dev.wiremesh.wireguard.offload;
