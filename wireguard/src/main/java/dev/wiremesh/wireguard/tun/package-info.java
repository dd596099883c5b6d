/**
 * The TUN seam: the interface through which the device exchanges IP packets with the kernel.
 *
 * <p>Owns {@link dev.wiremesh.wireguard.tun.TunDevice} (the contract), {@link
 * dev.wiremesh.wireguard.tun.LinuxTun} ({@code /dev/net/tun} through the FFM API), {@link
 * dev.wiremesh.wireguard.tun.MemoryTun} (an in-memory double for data-path tests), {@link
 * dev.wiremesh.wireguard.tun.NetworkInterfaces} (index, existence and MTU by name) and {@link
 * dev.wiremesh.wireguard.tun.TunGoneException}, the event that ends a daemon whose interface was
 * deleted. Nothing here knows WireGuard.
 */
package dev.wiremesh.wireguard.tun;
