package dev.wiremesh.planner.nat;

import java.util.List;
import java.util.SortedSet;

/**
 * One pass's decision: the nodes seen behind NAT, the new state (published endpoints and paths),
 * and one line per change, for the operator to log once.
 */
public record NatDecision(SortedSet<String> natted, NatState state, List<String> changes) {

  public boolean isNatted(String node) {
    return natted.contains(node);
  }
}
