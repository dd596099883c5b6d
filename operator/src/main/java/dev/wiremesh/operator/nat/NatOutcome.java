package dev.wiremesh.operator.nat;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.planner.nat.NatDecision;
import dev.wiremesh.planner.nat.PairPath;
import java.time.Duration;
import java.util.Map;

/**
 * What NAT traversal did on one pass: the configurations to push, the decision behind them, the
 * mesh's counts of direct and relayed pairs, and when to look again (null: at the resync).
 *
 * @param decision null when the mesh's natTraversal is Off
 */
public record NatOutcome(
    Map<String, DeviceConfig> configs,
    NatDecision decision,
    int directPairs,
    int relayedPairs,
    Duration recheckIn) {

  public static NatOutcome off(Map<String, DeviceConfig> configs) {
    return new NatOutcome(configs, null, 0, 0, null);
  }

  public boolean active() {
    return decision != null;
  }

  /** The path between two nodes, as status shows it: Direct or Relayed via NODE. */
  public String path(String x, String y) {
    PairPath p = decision == null ? null : decision.state().path(x, y);
    return p == null ? "Direct" : p.describe();
  }

  /** The endpoint published for a node behind NAT, or null. */
  public String published(String node) {
    return decision == null ? null : decision.state().published().get(node);
  }
}
