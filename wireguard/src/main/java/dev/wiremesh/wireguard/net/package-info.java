/**
 * The UDP seam: how the device sends and receives WireGuard messages.
 *
 * <p>Owns {@link dev.wiremesh.wireguard.net.Bind} (the contract, shaped for batches), {@link
 * dev.wiremesh.wireguard.net.Endpoint} (a peer's address in wg's text format), {@link
 * dev.wiremesh.wireguard.net.DatagramChannelBind} (the JDK implementation) and the in-memory double
 * {@link dev.wiremesh.wireguard.net.MemoryNetwork} with its {@link
 * dev.wiremesh.wireguard.net.MemoryBind}s, which let tests run several devices in one process.
 * Nothing here knows WireGuard's messages.
 */
package dev.wiremesh.wireguard.net;
