package dev.wiremesh.planner.nat;

/** Two nodes, in name order: the unit a path is decided for. */
public record Pair(String a, String b) implements Comparable<Pair> {
  public Pair {
    if (a.compareTo(b) >= 0) {
      throw new IllegalArgumentException("a pair is two nodes in name order: " + a + ", " + b);
    }
  }

  /** The pair of two distinct nodes, whatever their order. */
  public static Pair of(String x, String y) {
    return x.compareTo(y) < 0 ? new Pair(x, y) : new Pair(y, x);
  }

  public boolean has(String node) {
    return a.equals(node) || b.equals(node);
  }

  public String other(String node) {
    return a.equals(node) ? b : a;
  }

  @Override
  public int compareTo(Pair o) {
    int c = a.compareTo(o.a);
    return c != 0 ? c : b.compareTo(o.b);
  }

  @Override
  public String toString() {
    return a + "<->" + b;
  }
}
