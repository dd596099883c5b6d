package dev.wiremesh.planner.nat;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What NAT traversal decided on the previous pass, the input of the next: the public endpoint
 * published for each node behind NAT, and the path of each pair with an end behind NAT.
 */
public record NatState(SortedMap<String, String> published, SortedMap<Pair, PairPath> paths) {
  public static final NatState EMPTY = new NatState(new TreeMap<>(), new TreeMap<>());

  public NatState {
    published = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(published));
    paths = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(paths));
  }

  /** The path of two nodes: Direct unless a pair with an end behind NAT was decided otherwise. */
  public PairPath path(String x, String y) {
    return paths.get(Pair.of(x, y));
  }

  /** The relay of two nodes, or null when they are not relayed. */
  public String relayOf(String x, String y) {
    return path(x, y) instanceof PairPath.Relayed r ? r.via() : null;
  }

  /** Whether every pair is settled (Direct): nothing waits for a bounded time to run out. */
  public boolean settled() {
    return paths.values().stream().allMatch(p -> p instanceof PairPath.Direct);
  }

  static Map<String, String> copy(Map<String, String> m) {
    return new TreeMap<>(m);
  }
}
