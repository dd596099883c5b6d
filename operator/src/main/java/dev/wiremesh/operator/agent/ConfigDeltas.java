package dev.wiremesh.operator.agent;

import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The delta between two device configurations: the peers added or changed, and the public keys of
 * those removed. Nothing else travels in a delta, so a change to anything but the peers (interface
 * settings, forwarding, routes outside the tunnel, the encryption policy: whatever {@link
 * DeviceConfig#interfaceHash()} covers) yields null (send the full configuration). When one node
 * joins a mesh of n, each other node's delta holds one peer: the bytes pushed grow linearly with n,
 * not quadratically.
 */
public final class ConfigDeltas {

  private ConfigDeltas() {}

  /** The delta from {@code previous} to {@code next}, or null when only a full config will do. */
  public static ConfigDelta between(DeviceConfig previous, DeviceConfig next) {
    if (!previous.interfaceHash().equals(next.interfaceHash())) {
      return null;
    }
    Map<String, PeerConfig> before = byKey(previous.peers());
    Map<String, PeerConfig> after = byKey(next.peers());
    List<PeerConfig> upsert = new ArrayList<>();
    after.forEach(
        (k, p) -> {
          if (!p.equals(before.get(k))) {
            upsert.add(p);
          }
        });
    List<String> remove = new ArrayList<>();
    before
        .keySet()
        .forEach(
            k -> {
              if (!after.containsKey(k)) {
                remove.add(k);
              }
            });
    return new ConfigDelta(previous.hash(), next.hash(), upsert, remove);
  }

  private static Map<String, PeerConfig> byKey(List<PeerConfig> peers) {
    Map<String, PeerConfig> m = new TreeMap<>();
    peers.forEach(p -> m.put(p.publicKey(), p));
    return m;
  }
}
