package dev.wiremesh.planner.nat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides, on each pass, which nodes are behind NAT, the public endpoint the others reach each of
 * them at, and the path of every pair with an end behind NAT.
 *
 * <ul>
 *   <li>A node is <b>behind NAT</b> when a believed sighting has it at another endpoint than it
 *       advertises. The others are <b>reachable</b>; a node nobody has seen yet counts as reachable
 *       (its advertised endpoint is all there is).
 *   <li>A node behind NAT is <b>published</b> at the endpoint reachable nodes see its packets come
 *       from: the one most of them agree on, then the most recently seen; the endpoint published
 *       before stays while any reachable node still sees it there, so endpoints do not flap.
 *   <li>A pair is <b>heard</b> when one end saw the other's authenticated packets directly within
 *       {@link NatTimings#lost()} and the other end saw the first's within {@link
 *       NatTimings#maxAge()}. Both directions are not heard alike on an idle pair: a received
 *       packet resets the persistent-keepalive timer (as in the kernel and wireguard-go), so once
 *       the keepalives of one end get through, only that end sends them and the other is heard
 *       again at the next handshake, which the session's expiry forces within {@link
 *       NatTimings#maxAge()}. A new pair is tried directly ({@link PairPath.Trying}); heard, it is
 *       {@link PairPath.Direct}; not heard within {@link NatTimings#attempt()}, it is {@link
 *       PairPath.Relayed}. A Direct pair not heard for {@link NatTimings#lost()} is relayed. A
 *       relayed pair heard without a gap for {@link NatTimings#settle()}, each end on a packet
 *       newer than the relaying, goes Direct again.
 *   <li>A relay is a reachable node with a live agent that has tunnels to both ends: the mesh's
 *       pinned relays in their order when it pins any, else the gateways by name, then the other
 *       nodes by name. A pair keeps its relay while the relay stays usable.
 * </ul>
 *
 * Every change of a path or of a published endpoint yields one line in {@link
 * NatDecision#changes()}; a pass that changes nothing yields none.
 */
public final class NatPlanner {

  private NatPlanner() {}

  public static NatDecision decide(
      NatInput in, NatState previous, Instant now, NatTimings timings) {
    List<String> changes = new ArrayList<>();

    SortedSet<String> natted = new TreeSet<>();
    for (Sighting s : in.sightings()) {
      String advertised = in.advertised().get(s.peer());
      if (advertised != null && !sameEndpoint(advertised, s.endpoint())) {
        natted.add(s.peer());
      }
    }
    // Once behind NAT, a node stays so until a node sees it at its advertised endpoint: a pass
    // without reports (an agent that did not answer) is no evidence.
    for (String n : previous.published().keySet()) {
      if (in.advertised().containsKey(n)
          && in.sightings().stream()
              .noneMatch(
                  s -> s.peer().equals(n) && sameEndpoint(in.advertised().get(n), s.endpoint()))) {
        natted.add(n);
      }
    }
    SortedSet<String> reachable = new TreeSet<>(in.advertised().keySet());
    reachable.removeAll(natted);

    // Published endpoints.
    SortedMap<String, String> published = new TreeMap<>();
    for (String n : natted) {
      Map<String, List<Sighting>> byEndpoint = new TreeMap<>();
      for (Sighting s : in.sightings()) {
        if (s.peer().equals(n)
            && reachable.contains(s.observer())
            && !sameEndpoint(in.advertised().get(n), s.endpoint())) {
          byEndpoint.computeIfAbsent(s.endpoint(), k -> new ArrayList<>()).add(s);
        }
      }
      String before = previous.published().get(n);
      String chosen;
      if (before != null && byEndpoint.containsKey(before)) {
        chosen = before;
      } else {
        chosen =
            byEndpoint.entrySet().stream()
                .max(
                    Comparator.comparingInt(
                            (Map.Entry<String, List<Sighting>> e) -> e.getValue().size())
                        .thenComparing(
                            e ->
                                e.getValue().stream()
                                    .map(Sighting::seen)
                                    .max(Comparator.naturalOrder())
                                    .orElse(Instant.EPOCH))
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .map(Map.Entry::getKey)
                .orElse(before != null && natted.contains(n) ? before : null);
      }
      if (chosen != null) {
        published.put(n, chosen);
        if (!chosen.equals(before)) {
          changes.add(
              n
                  + ": behind NAT, published at "
                  + chosen
                  + " (advertised "
                  + in.advertised().get(n)
                  + ")");
        }
      }
    }
    previous
        .published()
        .forEach(
            (n, e) -> {
              if (!published.containsKey(n) && in.advertised().containsKey(n)) {
                changes.add(n + ": no longer seen behind NAT, reached at its advertised endpoint");
              }
            });

    // Paths.
    SortedMap<Pair, PairPath> paths = new TreeMap<>();
    for (String x : in.advertised().keySet()) {
      for (String y : in.peers().getOrDefault(x, Set.of())) {
        if (x.compareTo(y) >= 0
            || !in.advertised().containsKey(y)
            || !in.peers().getOrDefault(y, Set.of()).contains(x)
            || !(natted.contains(x) || natted.contains(y))) {
          continue;
        }
        Pair pair = new Pair(x, y);
        PairPath before = previous.paths().get(pair);
        PairPath next = next(pair, before, in, reachable, now, timings, changes);
        paths.put(pair, next);
      }
    }
    previous
        .paths()
        .forEach(
            (pair, p) -> {
              if (!paths.containsKey(pair)
                  && p instanceof PairPath.Relayed
                  && in.advertised().containsKey(pair.a())
                  && in.advertised().containsKey(pair.b())) {
                changes.add(pair + ": Direct (neither end is behind NAT any more)");
              }
            });
    return new NatDecision(natted, new NatState(published, paths), List.copyOf(changes));
  }

  private static PairPath next(
      Pair pair,
      PairPath before,
      NatInput in,
      SortedSet<String> reachable,
      Instant now,
      NatTimings t,
      List<String> changes) {
    Heard h = heard(pair, in.sightings(), now, t);
    boolean heard = h != null;
    return switch (before) {
      case null -> heard ? new PairPath.Direct(now, h.newer()) : new PairPath.Trying(now);
      case PairPath.Direct d -> {
        if (heard) {
          yield h.newer().isAfter(d.lastHeard()) ? new PairPath.Direct(d.since(), h.newer()) : d;
        }
        if (Duration.between(d.lastHeard(), now).compareTo(t.lost()) < 0) {
          yield d;
        }
        yield relayOr(
            pair, in, reachable, null, now, "no direct packet for " + secs(t.lost()), changes, d);
      }
      case PairPath.Trying tr -> {
        if (heard) {
          changes.add(pair + ": Direct (both ends hear each other)");
          yield new PairPath.Direct(now, h.newer());
        }
        if (Duration.between(tr.since(), now).compareTo(t.attempt()) < 0) {
          yield tr;
        }
        yield relayOr(
            pair,
            in,
            reachable,
            null,
            now,
            "no direct handshake within " + secs(t.attempt()),
            changes,
            tr);
      }
      case PairPath.Relayed r -> {
        List<String> usable = relays(pair, in, reachable);
        if (!usable.contains(r.via())) {
          yield relayOr(
              pair,
              in,
              reachable,
              r,
              now,
              "relay " + r.via() + " is no longer reachable",
              changes,
              new PairPath.Trying(now));
        }
        // Only direct packets since the pair was relayed count as evidence, in both directions.
        boolean heardSinceRelayed = heard && !h.older().isBefore(r.since().minusSeconds(1));
        if (!heardSinceRelayed) {
          yield r.directSince() == null ? r : new PairPath.Relayed(r.via(), r.since(), null);
        }
        Instant since = r.directSince() != null ? r.directSince() : now;
        if (Duration.between(since, now).compareTo(t.settle()) >= 0) {
          changes.add(
              pair
                  + ": Direct (both ends heard each other directly for "
                  + secs(Duration.between(since, now))
                  + ")");
          yield new PairPath.Direct(now, h.newer());
        }
        yield new PairPath.Relayed(r.via(), r.since(), since);
      }
    };
  }

  /**
   * Relays the pair through the first usable relay (keeping {@code current}'s when usable), or
   * keeps {@code otherwise} when none is.
   */
  private static PairPath relayOr(
      Pair pair,
      NatInput in,
      SortedSet<String> reachable,
      PairPath.Relayed current,
      Instant now,
      String why,
      List<String> changes,
      PairPath otherwise) {
    List<String> usable = relays(pair, in, reachable);
    if (usable.isEmpty()) {
      if (!(otherwise instanceof PairPath.Trying) || current != null) {
        changes.add(pair + ": no relay available (" + why + "); trying the direct path");
      }
      return otherwise instanceof PairPath.Trying ? otherwise : new PairPath.Trying(now);
    }
    String via = usable.getFirst();
    changes.add(pair + ": Relayed via " + via + " (" + why + ")");
    return new PairPath.Relayed(via, now, null);
  }

  /** The usable relays of a pair, in order of preference. */
  static List<String> relays(Pair pair, NatInput in, SortedSet<String> reachable) {
    List<String> order = new ArrayList<>();
    if (!in.relays().isEmpty()) {
      order.addAll(in.relays());
    } else {
      reachable.stream().filter(in.gateways()::contains).forEach(order::add);
      reachable.stream().filter(n -> !in.gateways().contains(n)).forEach(order::add);
    }
    return order.stream()
        .filter(r -> !pair.has(r))
        .filter(reachable::contains)
        .filter(in.alive()::contains)
        .filter(r -> in.peers().getOrDefault(r, Set.of()).contains(pair.a()))
        .filter(r -> in.peers().getOrDefault(r, Set.of()).contains(pair.b()))
        .toList();
  }

  /**
   * The latest direct packets of a heard pair, one per direction: {@code newer} within {@link
   * NatTimings#lost()} (the path carries packets now), {@code older} within {@link
   * NatTimings#maxAge()} (the quiet direction was heard at the last handshake).
   */
  record Heard(Instant older, Instant newer) {}

  /** The pair's latest direct packets when it is heard, or null when it is not. */
  static Heard heard(Pair pair, List<Sighting> sightings, Instant now, NatTimings t) {
    Instant ab = latest(sightings, pair.a(), pair.b());
    Instant ba = latest(sightings, pair.b(), pair.a());
    if (ab == null || ba == null) {
      return null;
    }
    Instant older = ab.isBefore(ba) ? ab : ba;
    Instant newer = ab.isBefore(ba) ? ba : ab;
    return Duration.between(newer, now).compareTo(t.lost()) <= 0
            && Duration.between(older, now).compareTo(t.maxAge()) <= 0
        ? new Heard(older, newer)
        : null;
  }

  private static Instant latest(List<Sighting> sightings, String observer, String peer) {
    Instant out = null;
    for (Sighting s : sightings) {
      if (s.observer().equals(observer) && s.peer().equals(peer)) {
        out = out == null || s.seen().isAfter(out) ? s.seen() : out;
      }
    }
    return out;
  }

  /** Whether two host:port endpoints are the same (IPv6 compared as addresses). */
  static boolean sameEndpoint(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    if (a.equalsIgnoreCase(b)) {
      return true;
    }
    try {
      return parse(a).equals(parse(b));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static java.net.InetSocketAddress parse(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new java.net.InetSocketAddress(
        java.net.InetAddress.ofLiteral(host), Integer.parseInt(endpoint.substring(colon + 1)));
  }

  private static String secs(Duration d) {
    return d.toSeconds() + "s";
  }
}
