package dev.wiremesh.operator.rotation;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The keys the planner gives nodes whose key rotates: a node whose key is being distributed is
 * planned under its next key, and every node whose previous key is still held appears in the
 * others' configurations with {@code previousPublicKey}, so their agents re-key it in place.
 *
 * @param distributing node name → the next public key it is planned with
 * @param previousOf a rotated key → the key it replaces
 */
public record PlannedKeys(Map<String, String> distributing, Map<String, String> previousOf) {

  /** From the node peers' recorded rotations. */
  public static PlannedKeys of(List<WireGuardPeer> peers) {
    Map<String, String> distributing = new TreeMap<>();
    Map<String, String> previousOf = new HashMap<>();
    for (WireGuardPeer p : peers) {
      if (p.getSpec().isExternal() || p.getStatus() == null) {
        continue;
      }
      KeyRotationStatus r = p.getStatus().getKeyRotation();
      if (r == null || r.getNextPublicKey() == null || r.getPreviousPublicKey() == null) {
        continue;
      }
      if (KeyRotationStatus.DISTRIBUTING.equals(r.getPhase())) {
        distributing.put(p.getSpec().getNode(), r.getNextPublicKey());
        previousOf.put(r.getNextPublicKey(), r.getPreviousPublicKey());
      } else if (KeyRotationStatus.COMPLETED.equals(r.getPhase())) {
        previousOf.put(r.getNextPublicKey(), r.getPreviousPublicKey());
      }
    }
    return new PlannedKeys(distributing, previousOf);
  }

  /** The identity to plan {@code node} with: its next key while that is being distributed. */
  public Identity plan(String node, Identity id) {
    String next = distributing.get(node);
    if (id == null || next == null || next.equals(id.publicKey())) {
      return id;
    }
    return new Identity(next, id.listenPort(), id.endpoints(), null, null, id.capabilities());
  }

  /** {@code configs} with the rotated peers marked with the key they replace (hashes redone). */
  public Map<String, DeviceConfig> withPreviousKeys(Map<String, DeviceConfig> configs) {
    if (previousOf.isEmpty()) {
      return configs;
    }
    Map<PeerConfig, PeerConfig> shared = new IdentityHashMap<>();
    Map<String, DeviceConfig> out = new TreeMap<>();
    configs.forEach(
        (node, c) -> {
          boolean touched = false;
          List<PeerConfig> peers =
              c.peers().stream()
                  .map(
                      p ->
                          previousOf.containsKey(p.publicKey())
                              ? shared.computeIfAbsent(
                                  p, k -> k.withPreviousPublicKey(previousOf.get(k.publicKey())))
                              : p)
                  .toList();
          touched = !peers.equals(c.peers());
          out.put(
              node,
              touched
                  ? new DeviceConfig(
                          null, c.interfaceName(), c.addresses(), c.listenPort(), c.mtu(), peers)
                      .withHash()
                  : c);
        });
    return out;
  }
}
