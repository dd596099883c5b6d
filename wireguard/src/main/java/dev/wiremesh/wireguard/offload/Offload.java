package dev.wiremesh.wireguard.offload;

import java.util.Arrays;
import java.util.Optional;

/** One kernel offload the data plane can use, by the name users and logs give it. */
public enum Offload {
  /** The TUN carries a {@code virtio_net_hdr} before every packet ({@code IFF_VNET_HDR}). */
  TUN_VNET_HDR("tun-vnet-hdr"),
  /**
   * TCP segmentation and checksum offload on the TUN ({@code TUNSETOFFLOAD} with {@code
   * TUN_F_CSUM|TUN_F_TSO4|TUN_F_TSO6}): the kernel hands over TCP super-packets of up to 64 KB and
   * takes merged ones back. Needs {@link #TUN_VNET_HDR}.
   */
  TUN_TSO("tun-tso"),
  /** UDP generic segmentation offload ({@code UDP_SEGMENT}): one send for a run of datagrams. */
  UDP_GSO("udp-gso"),
  /** UDP receive coalescing ({@code UDP_GRO}): one receive for a run of datagrams. */
  UDP_GRO("udp-gro");

  private final String id;

  Offload(String id) {
    this.id = id;
  }

  /** The name in logs, metrics and {@code WIREMESH_WG_DISABLE_OFFLOADS}, e.g. {@code udp-gso}. */
  public String id() {
    return id;
  }

  /** The offload named {@code id}, if any. */
  public static Optional<Offload> byId(String id) {
    return Arrays.stream(values()).filter(o -> o.id.equals(id)).findFirst();
  }

  @Override
  public String toString() {
    return id;
  }
}
