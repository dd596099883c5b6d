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
 *   <li>Every other peer gets, from each pool it holds no address in, the lowest free address.
 * </ol>
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
   */
  public record Request(String peer, List<String> requested, List<String> recorded) {
    public Request {
      requested = requested == null ? List.of() : List.copyOf(requested);
      recorded = recorded == null ? List.of() : List.copyOf(recorded);
    }
  }

  private Ipam() {}

  /** Decides every peer's addresses; the map is keyed and ordered by peer name. */
  public static Map<String, AddressOutcome> allocate(
      List<Cidr> pools, Collection<Request> requests) {
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
    for (var e : kept.entrySet()) {
      List<InetAddress> addresses = new ArrayList<>();
      AddressOutcome outcome = null;
      for (Cidr pool : pools) {
        InetAddress a = e.getValue().get(pool);
        if (a == null) {
          a = nextFree(pool, cursors, taken);
          if (a == null) {
            outcome = new AddressOutcome.Exhausted("address pool " + pool + " has no free address");
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

  private static InetAddress nextFree(
      Cidr pool, Map<Cidr, BigInteger> cursors, Map<InetAddress, String> taken) {
    BigInteger offset = cursors.getOrDefault(pool, BigInteger.ZERO);
    BigInteger size = pool.size();
    while (offset.compareTo(size) < 0) {
      if (pool.isAssignable(offset)) {
        InetAddress a = pool.address(offset);
        if (!taken.containsKey(a)) {
          cursors.put(pool, offset.add(BigInteger.ONE));
          return a;
        }
      }
      offset = offset.add(BigInteger.ONE);
    }
    cursors.put(pool, offset);
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
