package dev.wiremesh.planner.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Allocates tunnel addresses: a pure function of the pools and every peer's request.
 *
 * <p>Rules, in order of precedence:
 *
 * <ol>
 *   <li>A user-chosen address ({@code spec.address}) must parse and lie inside one of the pools
 *       (not a pool's network or broadcast address). If another peer already holds it (its recorded
 *       address) or another peer earlier by name also chose it, the later one gets {@link
 *       AddressOutcome.Conflict} and no address.
 *   <li>A recorded address (the peer's {@code status.address}) that is still valid and free is
 *       kept, so allocation is stable across restarts and pool additions.
 *   <li>Every other peer gets, from each pool it holds no address in, the lowest free address: an
 *       external peer from the part of the pool reserved for external peers ({@link
 *       ExternalPeerPools}), and from the rest of the pool only when that part is full; a node from
 *       the rest of the pool, never from the reserved part.
 * </ol>
 *
 * <p>Recorded and user-chosen addresses are never moved to or out of the reserved part: an external
 * peer that held an address elsewhere before the pool existed keeps it, and so does a node.
 *
 * <p>Peers are processed in name order, so the result is the same for the same input whatever its
 * order. No address ever appears in two peers' {@link AddressOutcome.Assigned}.
 */
public final class Ipam {

  /**
   * One peer's input.
   *
   * @param peer the peer's name (unique)
   * @param requested the user-chosen addresses (empty: allocate from the pools)
   * @param recorded the addresses in its status from an earlier allocation (may be empty)
   * @param external an external peer (its addresses come from the external peers' pools)
   */
  public record Request(
      String peer, List<String> requested, List<String> recorded, boolean external) {
    public Request {
      requested = requested == null ? List.of() : List.copyOf(requested);
      recorded = recorded == null ? List.of() : List.copyOf(recorded);
    }

    /** A node's request. */
    public Request(String peer, List<String> requested, List<String> recorded) {
      this(peer, requested, recorded, false);
    }
  }

  private Ipam() {}

  /** Decides every peer's addresses, no part reserved for external peers. */
  public static Map<String, AddressOutcome> allocate(
      List<Cidr> pools, Collection<Request> requests) {
    return allocate(pools, List.of(), requests);
  }

  /**
   * Decides every peer's addresses; the map is keyed and ordered by peer name.
   *
   * @param externalPools the parts of {@code pools} reserved for external peers ({@link
   *     ExternalPeerPools#of})
   */
  public static Map<String, AddressOutcome> allocate(
      List<Cidr> pools, List<Cidr> externalPools, Collection<Request> requests) {
    List<Request> sorted = requests.stream().sorted(Comparator.comparing(Request::peer)).toList();
    Map<String, AddressOutcome> out = new TreeMap<>();
    Map<InetAddress, String> taken = new HashMap<>();

    // Who holds what today: the first by name wins if two statuses somehow claim one address.
    Map<InetAddress, String> holders = new HashMap<>();
    for (Request r : sorted) {
      for (String s : r.recorded()) {
        parseHostQuietly(s).ifPresent(a -> holders.putIfAbsent(a, r.peer()));
      }
    }

    // 1. User-chosen addresses.
    for (Request r : sorted) {
      if (r.requested().isEmpty()) {
        continue;
      }
      out.put(r.peer(), claim(pools, r, holders, taken));
    }

    // 2. Recorded addresses of the others, one per pool, when still valid and free.
    Map<String, Map<Cidr, InetAddress>> kept = new LinkedHashMap<>();
    for (Request r : sorted) {
      if (!r.requested().isEmpty()) {
        continue;
      }
      Map<Cidr, InetAddress> perPool = new LinkedHashMap<>();
      for (String s : r.recorded()) {
        Optional<InetAddress> a = parseHostQuietly(s);
        if (a.isEmpty() || taken.containsKey(a.get())) {
          continue;
        }
        poolOf(pools, a.get())
            .filter(p -> !perPool.containsKey(p))
            .ifPresent(
                p -> {
                  perPool.put(p, a.get());
                  taken.put(a.get(), r.peer());
                });
      }
      kept.put(r.peer(), perPool);
    }

    // 3. Fill every pool a peer holds no address in with the lowest free address.
    Map<Cidr, BigInteger> cursors = new HashMap<>();
    Map<String, Boolean> external = new HashMap<>();
    sorted.forEach(r -> external.put(r.peer(), r.external()));
    for (var e : kept.entrySet()) {
      List<InetAddress> addresses = new ArrayList<>();
      AddressOutcome outcome = null;
      for (Cidr pool : pools) {
        InetAddress a = e.getValue().get(pool);
        if (a == null) {
          List<Cidr> reserved = externalPools.stream().filter(pool::containsNetwork).toList();
          if (external.get(e.getKey()) && !reserved.isEmpty()) {
            a = nextFree(pool, reserved.getFirst(), List.of(), cursors, taken);
          }
          if (a == null) {
            a = nextFree(pool, pool, reserved, cursors, taken);
          }
          if (a == null) {
            outcome =
                new AddressOutcome.Exhausted(
                    "address pool "
                        + pool
                        + " has no free address"
                        + (reserved.isEmpty()
                            ? ""
                            : " (" + reserved.getFirst() + " is kept for external peers)"));
            break;
          }
          taken.put(a, e.getKey());
        }
        addresses.add(a);
      }
      out.put(e.getKey(), outcome != null ? outcome : new AddressOutcome.Assigned(addresses));
    }
    return out;
  }

  private static AddressOutcome claim(
      List<Cidr> pools,
      Request r,
      Map<InetAddress, String> holders,
      Map<InetAddress, String> taken) {
    List<InetAddress> chosen = new ArrayList<>();
    for (String s : r.requested()) {
      InetAddress a;
      try {
        Optional<InetAddress> host = Cidr.parseHost(s);
        if (host.isEmpty()) {
          return new AddressOutcome.Invalid(
              "spec.address '" + s + "' must be a single address (a /32 or /128 at most)");
        }
        a = host.get();
      } catch (IllegalArgumentException e) {
        return new AddressOutcome.Invalid("spec.address: " + e.getMessage());
      }
      Optional<Cidr> pool = poolOf(pools, a);
      if (pool.isEmpty()) {
        return new AddressOutcome.Invalid(
            "spec.address '" + s + "' lies outside the mesh's address pools " + pools);
      }
      if (!pool.get().isAssignable(pool.get().offsetOf(a))) {
        return new AddressOutcome.Invalid(
            "spec.address '" + s + "' is the network or broadcast address of pool " + pool.get());
      }
      chosen.add(a);
    }
    for (InetAddress a : chosen) {
      String holder = holders.get(a);
      if (holder != null && !holder.equals(r.peer())) {
        return new AddressOutcome.Conflict(
            "address " + a.getHostAddress() + " is already assigned to peer " + holder);
      }
      String other = taken.get(a);
      if (other != null && !other.equals(r.peer())) {
        return new AddressOutcome.Conflict(
            "address " + a.getHostAddress() + " is also chosen by peer " + other);
      }
    }
    chosen.forEach(a -> taken.put(a, r.peer()));
    return new AddressOutcome.Assigned(chosen);
  }

  /**
   * The lowest free address of {@code range} (a part of {@code pool}, or the pool itself) outside
   * {@code skip}, assignable as an address of {@code pool} and of {@code range} (a reserved /24
   * gives .1 to .254, as a network of its own would: no external peer at a ".0"); null when there
   * is none. A cursor per range makes a pass over n peers linear.
   */
  private static InetAddress nextFree(
      Cidr pool,
      Cidr range,
      List<Cidr> skip,
      Map<Cidr, BigInteger> cursors,
      Map<InetAddress, String> taken) {
    BigInteger start = pool.offsetOf(range.network());
    BigInteger end = start.add(range.size());
    BigInteger offset = cursors.getOrDefault(range, start);
    next:
    while (offset.compareTo(end) < 0) {
      InetAddress a = pool.address(offset);
      for (Cidr s : skip) {
        if (s.contains(a)) {
          offset = pool.offsetOf(s.network()).add(s.size());
          continue next;
        }
      }
      if (pool.isAssignable(offset)
          && range.isAssignable(offset.subtract(start))
          && !taken.containsKey(a)) {
        cursors.put(range, offset.add(BigInteger.ONE));
        return a;
      }
      offset = offset.add(BigInteger.ONE);
    }
    cursors.put(range, offset);
    return null;
  }

  private static Optional<Cidr> poolOf(List<Cidr> pools, InetAddress a) {
    return pools.stream().filter(p -> p.contains(a)).findFirst();
  }

  private static Optional<InetAddress> parseHostQuietly(String s) {
    try {
      return Cidr.parseHost(s);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
