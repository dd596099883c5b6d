package dev.wiremesh.planner.locations;

import java.util.Comparator;
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
 *   <li>Else (the leader is gone, or the location is new) the first alive node by name takes over,
 *       a node the mesh's gatewaySelector selects before one it does not (the leader of a location
 *       with a selected node carries the external peers: the node the user chose for them should be
 *       the one that does, as Kilo prefers nodes with a public address). A selected node never
 *       takes the role from a live leader for that.
 *   <li>With no alive node at all, the current leader stays (nothing would be gained by moving).
 * </ol>
 *
 * Among equals the first by name wins, so the choice does not depend on input order.
 */
public final class LocationLeaders {

  private LocationLeaders() {}

  /**
   * A candidate node as the election sees it.
   *
   * @param gateway whether the mesh's gatewaySelector selects it
   */
  public record Candidate(
      String node, boolean preferred, boolean gateway, boolean alive, boolean settled) {

    /** A candidate the gatewaySelector does not select. */
    public Candidate(String node, boolean preferred, boolean alive, boolean settled) {
      this(node, preferred, false, alive, settled);
    }
  }

  /** Selected by the gatewaySelector first, then by name. */
  private static final Comparator<Candidate> ORDER =
      Comparator.comparing((Candidate c) -> !c.gateway()).thenComparing(Candidate::node);

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
    List<Candidate> sorted = nodes.stream().sorted(ORDER).toList();
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
