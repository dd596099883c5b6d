package dev.wiremesh.planner.locations;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Chooses each location's leader, so that the role moves only when it must:
 *
 * <ol>
 *   <li>A preferred node (annotated {@code wiremesh.dev/leader: "true"}) leads when one is alive; a
 *       preferred node takes the role from a live leader only once it is <em>settled</em> (alive
 *       without a gap for the failover time), so a preferred node that comes and goes never pulls
 *       the role back and forth.
 *   <li>Else the current leader keeps the role while it is alive: a node that comes back never
 *       takes the role back.
 *   <li>Else (the leader is gone) the first alive node by name takes over.
 *   <li>With no alive node at all, the current leader stays (nothing would be gained by moving).
 * </ol>
 *
 * Among equals the first by name wins, so the choice does not depend on input order.
 */
public final class LocationLeaders {

  private LocationLeaders() {}

  /** A candidate node as the election sees it. */
  public record Candidate(String node, boolean preferred, boolean alive, boolean settled) {}

  /**
   * @param candidates each location's nodes
   * @param current each location's leader so far (from the mesh's status), absent for new ones
   * @return each location's leader, sorted by location
   */
  public static SortedMap<String, String> elect(
      Map<String, List<Candidate>> candidates, Map<String, String> current) {
    SortedMap<String, String> out = new TreeMap<>();
    candidates.forEach((location, nodes) -> out.put(location, elect(nodes, current.get(location))));
    return out;
  }

  static String elect(List<Candidate> nodes, String current) {
    List<Candidate> sorted =
        nodes.stream().sorted(java.util.Comparator.comparing(Candidate::node)).toList();
    Optional<Candidate> now = sorted.stream().filter(c -> c.node().equals(current)).findFirst();
    boolean currentAlive = now.map(Candidate::alive).orElse(false);
    boolean currentPreferred = now.map(Candidate::preferred).orElse(false);
    if (!(currentAlive && currentPreferred)) {
      // A preferred node: at once when the leader is gone, once settled when it is alive.
      Optional<String> preferred =
          sorted.stream()
              .filter(Candidate::preferred)
              .filter(c -> currentAlive ? c.settled() : c.alive())
              .map(Candidate::node)
              .findFirst();
      if (preferred.isPresent()) {
        return preferred.get();
      }
    }
    if (currentAlive) {
      return current;
    }
    Optional<String> firstAlive =
        sorted.stream().filter(Candidate::alive).map(Candidate::node).findFirst();
    if (firstAlive.isPresent()) {
      return firstAlive.get();
    }
    return now.isPresent() ? current : sorted.getFirst().node();
  }
}
