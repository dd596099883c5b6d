package dev.wiremesh.agent.device;

import dev.wiremesh.wireguard.tun.NetworkInterfaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The MTU a mesh with {@code mtu: 0} gets: the MTU of the interface carrying the node's IPv4
 * default route minus 80 (WireGuard's overhead over IPv6: 40 IPv6 + 8 UDP + 32 WireGuard), or 1420
 * (as for a 1500-byte uplink) when the node has no default route.
 */
final class UplinkMtu {
  static final int OVERHEAD = 80;
  static final int FALLBACK = 1420;

  private UplinkMtu() {}

  static int automatic() {
    try {
      return fromRouteTable(Files.readAllLines(Path.of("/proc/net/route")));
    } catch (IOException e) {
      return FALLBACK;
    }
  }

  /** Reads {@code /proc/net/route}'s lines: the default route has destination and mask 0. */
  static int fromRouteTable(List<String> lines) {
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 8 && f[1].equals("00000000") && f[7].equals("00000000")) {
        try {
          int mtu = NetworkInterfaces.mtu(f[0]) - OVERHEAD;
          return Math.max(1280, mtu);
        } catch (IOException e) {
          return FALLBACK;
        }
      }
    }
    return FALLBACK;
  }
}
