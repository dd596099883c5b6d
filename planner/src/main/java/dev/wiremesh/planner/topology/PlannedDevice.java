package dev.wiremesh.planner.topology;

import java.util.List;

/**
 * A node's whole device configuration, peers sorted by public key. Mapped 1:1 to the protocol's
 * DeviceConfig (which adds the hash).
 *
 * @param addresses interface addresses with the pool's prefix, e.g. 10.44.0.1/16
 */
public record PlannedDevice(
    String node,
    String interfaceName,
    List<String> addresses,
    int listenPort,
    int mtu,
    List<PlannedPeer> peers) {
  public PlannedDevice {
    addresses = List.copyOf(addresses);
    peers = List.copyOf(peers);
  }
}
