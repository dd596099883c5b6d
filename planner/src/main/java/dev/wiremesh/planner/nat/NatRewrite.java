package dev.wiremesh.planner.nat;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.planner.topology.TopologyPlanner;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Carries a {@link NatDecision} out on the planned configurations:
 *
 * <ul>
 *   <li>every node's entry for a node behind NAT gets the endpoint published for it;
 *   <li>every tunnel with an end behind NAT gets the keepalive ({@link NatTimings#keepalive()}) on
 *       both ends, so the NAT's mappings stay open and both ends initiate: each end's first packet
 *       opens its own NAT towards the other's public endpoint, and the holes meet;
 *   <li>a pair relayed via R: each end's entry for the other keeps its endpoint and keepalive (the
 *       direct path is still tried) but no allowed IPs; its entry for R also carries the other
 *       end's allowed IPs, as a location member's entry for its leader carries the other locations;
 *       R forwards ({@link DeviceConfig#forwarding()}, as a location's leader does). Packets go A
 *       to R to B inside the tunnels, decrypted only on R's tunnel hops.
 * </ul>
 *
 * Entries that change the same way in every config stay one shared object, as the planner's are.
 */
public final class NatRewrite {

  private NatRewrite() {}

  /**
   * @param configs every node's planned configuration, by node name (hashes are recomputed)
   * @param keyOf each node's public key as the others hold it
   */
  public static Map<String, DeviceConfig> apply(
      Map<String, DeviceConfig> configs,
      Map<String, String> keyOf,
      NatDecision decision,
      NatTimings timings) {
    NatState state = decision.state();
    if (decision.natted().isEmpty() && state.paths().isEmpty()) {
      return configs;
    }
    Map<String, String> nodeOf = new TreeMap<>();
    keyOf.forEach((node, key) -> nodeOf.put(key, node));
    Map<String, Boolean> relays = new TreeMap<>();
    state.paths().values().stream()
        .filter(p -> p instanceof PairPath.Relayed)
        .forEach(p -> relays.put(((PairPath.Relayed) p).via(), true));
    // Shared rewritten entries: one for nodes behind NAT, one for the others.
    Map<PeerConfig, PeerConfig> fromNatted = new IdentityHashMap<>();
    Map<PeerConfig, PeerConfig> fromReachable = new IdentityHashMap<>();

    Map<String, DeviceConfig> out = new TreeMap<>();
    configs.forEach(
        (x, c) -> {
          boolean xNatted = decision.isNatted(x);
          Map<String, List<String>> extra = new TreeMap<>();
          Map<String, PeerConfig> byNode = new TreeMap<>();
          for (PeerConfig p : c.peers()) {
            String y = nodeOf.get(p.publicKey());
            if (y != null) {
              byNode.put(y, p);
            }
          }
          // What each relay of x's pairs carries for x.
          byNode.forEach(
              (y, p) -> {
                String via = state.relayOf(x, y);
                if (via != null && byNode.containsKey(via)) {
                  extra.computeIfAbsent(via, k -> new ArrayList<>()).addAll(p.allowedIPs());
                }
              });
          List<PeerConfig> peers = new ArrayList<>();
          boolean changed = false;
          for (PeerConfig p : c.peers()) {
            String y = nodeOf.get(p.publicKey());
            PeerConfig q = p;
            if (y != null) {
              boolean nat = xNatted || decision.isNatted(y);
              if (nat || state.published().containsKey(y)) {
                q =
                    (xNatted ? fromNatted : fromReachable)
                        .computeIfAbsent(p, k -> natEntry(k, y, xNatted, decision, timings));
              }
              if (state.relayOf(x, y) != null && byNode.containsKey(state.relayOf(x, y))) {
                q = withAllowed(q, List.of());
              }
              if (extra.containsKey(y)) {
                List<String> allowed = new ArrayList<>(q.allowedIPs());
                allowed.addAll(extra.get(y));
                q = withAllowed(q, TopologyPlanner.sortedUnique(allowed));
              }
            }
            changed |= q != p;
            peers.add(q);
          }
          boolean forwarding = c.forwarding() || relays.containsKey(x);
          out.put(
              x,
              !changed && forwarding == c.forwarding()
                  ? c
                  : new DeviceConfig(
                          null,
                          c.interfaceName(),
                          c.addresses(),
                          c.listenPort(),
                          c.mtu(),
                          peers,
                          forwarding,
                          c.routes(),
                          c.encryption())
                      .withHash());
        });
    return out;
  }

  private static PeerConfig natEntry(
      PeerConfig p, String y, boolean xNatted, NatDecision decision, NatTimings timings) {
    String endpoint = decision.state().published().getOrDefault(y, p.endpoint());
    int keepalive =
        (xNatted || decision.isNatted(y)) && p.persistentKeepalive() == 0
            ? timings.keepalive()
            : p.persistentKeepalive();
    return new PeerConfig(
        p.publicKey(),
        p.presharedKey(),
        endpoint,
        p.allowedIPs(),
        keepalive,
        p.previousPublicKey());
  }

  private static PeerConfig withAllowed(PeerConfig p, List<String> allowed) {
    return new PeerConfig(
        p.publicKey(),
        p.presharedKey(),
        p.endpoint(),
        allowed,
        p.persistentKeepalive(),
        p.previousPublicKey());
  }
}
