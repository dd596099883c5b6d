/**
 * The UDP seam: how the device sends and receives WireGuard messages.
 *
 * <p>Owns {@link dev.wiremesh.wireguard.net.Bind} (the contract, shaped for batches), {@link
 * dev.wiremesh.wireguard.net.Endpoint} (a peer's address in wg's text format, with the optional
 * sticky source), two kernel implementations — {@link dev.wiremesh.wireguard.net.LinuxBind} (FFM:
 * udp4 and udp6 sockets on one port with sticky sources, like wireguard-go; the one the daemon uses
 * on Linux) and {@link dev.wiremesh.wireguard.net.DatagramChannelBind} (portable JDK NIO, no sticky
 * sources) — and the in-memory double {@link dev.wiremesh.wireguard.net.MemoryNetwork} with its
 * {@link dev.wiremesh.wireguard.net.MemoryBind}s, which let tests run several devices in one
 * process. Nothing here knows WireGuard's messages.
 */
package dev.wiremesh.wireguard.net;
