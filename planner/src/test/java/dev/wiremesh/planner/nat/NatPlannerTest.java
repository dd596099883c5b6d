package dev.wiremesh.planner.nat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path choice and relay assignment as tables. The mesh: n1 and n4 reachable, n2 and n3 behind NATs
 * (advertising their private address, seen by n1 and n4 at their NAT's public one), a full mesh.
 */
class NatPlannerTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  static final NatTimings T = NatTimings.forKeepalive(0);
  static final Pair N2N3 = Pair.of("n2", "n3");

  static final Map<String, String> ADVERTISED =
      Map.of(
          "n1", "192.0.2.1:51820",
          "n2", "10.0.2.2:51820",
          "n3", "10.0.3.3:51820",
          "n4", "192.0.2.4:51820");
  static final Map<String, String> PUBLIC =
      Map.of(
          "n1", "192.0.2.1:51820",
          "n2", "198.51.100.2:40002",
          "n3", "198.51.100.3:40003",
          "n4", "192.0.2.4:51820");

  static NatInput input(
      List<Sighting> sightings, Set<String> alive, List<String> relays, Set<String> gateways) {
    Map<String, Set<String>> peers = new TreeMap<>();
    ADVERTISED
        .keySet()
        .forEach(
            n -> {
              Set<String> others = new HashSet<>(ADVERTISED.keySet());
              others.remove(n);
              peers.put(n, others);
            });
    return new NatInput(new TreeMap<>(ADVERTISED), peers, sightings, alive, relays, gateways);
  }

  /** Every reachable node and every NATed node hear each other now; n2 and n3 as {@code heard}. */
  static List<Sighting> sightings(int n2n3HeardSecondsAgo) {
    List<Sighting> out = new ArrayList<>();
    for (String r : List.of("n1", "n4")) {
      for (String n : List.of("n1", "n2", "n3", "n4")) {
        if (!r.equals(n)) {
          out.add(new Sighting(r, n, PUBLIC.get(n), NOW.minusSeconds(3)));
          out.add(new Sighting(n, r, PUBLIC.get(r), NOW.minusSeconds(3)));
        }
      }
    }
    if (n2n3HeardSecondsAgo >= 0) {
      Instant at = NOW.minusSeconds(n2n3HeardSecondsAgo);
      out.add(new Sighting("n2", "n3", PUBLIC.get("n3"), at));
      out.add(new Sighting("n3", "n2", PUBLIC.get("n2"), at));
    }
    return out;
  }

  static PairPath previous(String spec) {
    String[] f = spec.split(":");
    return switch (f[0]) {
      case "none" -> null;
      case "trying" -> new PairPath.Trying(NOW.minusSeconds(Long.parseLong(f[1])));
      case "direct" ->
          new PairPath.Direct(
              NOW.minusSeconds(Long.parseLong(f[1])),
              NOW.minusSeconds(Long.parseLong(f.length > 2 ? f[2] : f[1])));
      case "relayed" ->
          new PairPath.Relayed(
              f[1],
              NOW.minusSeconds(Long.parseLong(f[2])),
              f.length > 3 ? NOW.minusSeconds(Long.parseLong(f[3])) : null);
      default -> throw new IllegalArgumentException(spec);
    };
  }

  static Stream<Arguments> paths() {
    return Stream.of(
        // previous path of n2<->n3, n2<->n3 last heard (s ago, -1 never), dead nodes, pinned
        // relays, gateways, expected path, why
        Arguments.of("none", -1, "", "", "all", "Trying", "a new pair tries the direct path"),
        Arguments.of("none", 5, "", "", "all", "Direct", "a new pair already heard is Direct"),
        Arguments.of("trying:10", -1, "", "", "all", "Trying", "still within the attempt"),
        Arguments.of(
            "trying:20", -1, "", "", "all", "Relayed via n1", "attempt over: the first relay"),
        Arguments.of("trying:25", 3, "", "", "all", "Direct", "the holes met"),
        Arguments.of("direct:300", 50, "", "", "all", "Direct", "heard within two keepalives"),
        Arguments.of(
            "direct:300", 60, "", "", "all", "Relayed via n1", "silent for 55s: the path is gone"),
        Arguments.of(
            "direct:300:10", -1, "", "", "all", "Direct", "a pass without reports is no evidence"),
        Arguments.of(
            "direct:300:54", -1, "", "", "all", "Direct", "not yet silent for two keepalives"),
        Arguments.of(
            "relayed:n1:100", -1, "", "", "all", "Relayed via n1", "relayed while not heard"),
        Arguments.of(
            "relayed:n1:100", 2, "", "", "all", "Relayed via n1", "heard: settling starts"),
        Arguments.of(
            "relayed:n1:100:10", 2, "", "", "all", "Relayed via n1", "heard for 10s: not yet"),
        Arguments.of("relayed:n1:100:15", 2, "", "", "all", "Direct", "heard for 15s: Direct"),
        Arguments.of(
            "relayed:n1:10",
            30,
            "",
            "",
            "all",
            "Relayed via n1",
            "packets from before it was relayed are no evidence"),
        Arguments.of(
            "relayed:n1:100", -1, "n1", "", "all", "Relayed via n4", "the relay's agent is gone"),
        Arguments.of("trying:20", -1, "", "n4", "all", "Relayed via n4", "a pinned relay"),
        Arguments.of(
            "trying:20",
            -1,
            "",
            "n3,n9",
            "all",
            "Trying",
            "pinned relays that are an end of the pair or unknown: no relay"),
        Arguments.of(
            "trying:20", -1, "", "n2,n4,n1", "all", "Relayed via n4", "the first usable pin"),
        Arguments.of("trying:20", -1, "", "", "n4", "Relayed via n4", "gateways first"),
        Arguments.of("trying:20", -1, "n1,n4", "", "all", "Trying", "no relay alive"),
        Arguments.of("relayed:n1:100", -1, "", "n4,n1", "all", "Relayed via n1", "a relay is kept"),
        Arguments.of(
            "relayed:n1:100",
            -1,
            "n1,n4",
            "",
            "all",
            "Trying",
            "no relay left: back to trying the direct path"));
  }

  @ParameterizedTest(name = "{0}, heard {1}s ago, dead [{2}], pins [{3}], gateways {4} -> {5}: {6}")
  @MethodSource("paths")
  void pathChoiceAndRelayAssignment(
      String previous,
      int heard,
      String dead,
      String pins,
      String gateways,
      String expected,
      String why) {
    Set<String> alive = new HashSet<>(ADVERTISED.keySet());
    if (!dead.isEmpty()) {
      alive.removeAll(Arrays.asList(dead.split(",")));
    }
    List<String> relays = pins.isEmpty() ? List.of() : Arrays.asList(pins.split(","));
    Set<String> gw = gateways.equals("all") ? ADVERTISED.keySet() : Set.of(gateways.split(","));
    TreeMap<Pair, PairPath> paths = new TreeMap<>();
    PairPath before = previous(previous);
    if (before != null) {
      paths.put(N2N3, before);
    }
    NatDecision d =
        NatPlanner.decide(
            input(sightings(heard), alive, relays, gw),
            new NatState(new TreeMap<>(), paths),
            NOW,
            T);
    PairPath after = d.state().paths().get(N2N3);
    String got = after instanceof PairPath.Trying ? "Trying" : after.describe();
    assertThat(got).as(why).isEqualTo(expected);
    assertThat(d.natted()).containsExactly("n2", "n3");
    // A pair of two reachable nodes has no path state: it is Direct as planned.
    assertThat(d.state().paths()).doesNotContainKey(Pair.of("n1", "n4"));
    // A change of path is logged (once: the next pass starts from it).
    if (before != null && !label(before).equals(label(after))) {
      assertThat(d.changes()).as("logged").anyMatch(l -> l.startsWith(N2N3.toString()));
    }
  }

  static String label(PairPath p) {
    return p instanceof PairPath.Trying ? "Trying" : p.describe();
  }

  /** The sightings of {@link #sightings(int)}, n2 and n3 heard by each other at their own times. */
  static List<Sighting> sightings(int n2HeardN3SecondsAgo, int n3HeardN2SecondsAgo) {
    List<Sighting> out = new ArrayList<>(sightings(-1));
    out.add(new Sighting("n2", "n3", PUBLIC.get("n3"), NOW.minusSeconds(n2HeardN3SecondsAgo)));
    out.add(new Sighting("n3", "n2", PUBLIC.get("n2"), NOW.minusSeconds(n3HeardN2SecondsAgo)));
    return out;
  }

  static Stream<Arguments> idlePairs() {
    // With the default 25 s keepalive: lost 55 s, maxAge 180 + 25 + 5 + 5 = 215 s.
    return Stream.of(
        // previous path, n2 heard n3 (s ago), n3 heard n2 (s ago), expected, why
        Arguments.of(
            "direct:300:60",
            3,
            150,
            "Direct",
            "an idle pair: n2's keepalives reach n3, n3 was last heard at the handshake"),
        Arguments.of(
            "direct:300:60",
            150,
            3,
            "Direct",
            "the same the other way round: which end sends the keepalives does not matter"),
        Arguments.of(
            "direct:300:60",
            3,
            216,
            "Relayed via n1",
            "the quiet direction unheard past a session's life and a handshake: gone"),
        Arguments.of(
            "direct:300:60",
            60,
            60,
            "Relayed via n1",
            "neither direction within two keepalives and a margin: gone"),
        Arguments.of("trying:25", 3, 150, "Direct", "a pair tried again hears one end now"),
        Arguments.of(
            "relayed:n1:100:15",
            2,
            60,
            "Direct",
            "relayed, then each end heard the other since: the quiet end once, the other steadily"),
        Arguments.of(
            "relayed:n1:100:15",
            2,
            120,
            "Relayed via n1",
            "the quiet end was last heard before the relaying: no evidence of the direct path"),
        Arguments.of(
            "relayed:n1:100",
            2,
            60,
            "Relayed via n1",
            "relayed, heard both ways since: settling starts"));
  }

  @ParameterizedTest(name = "{0}, n2 heard n3 {1}s ago, n3 heard n2 {2}s ago -> {3}: {4}")
  @MethodSource("idlePairs")
  void anIdlePairIsHeardOneWayBetweenHandshakes(
      String previous, int n2HeardN3, int n3HeardN2, String expected, String why) {
    PairPath before = previous(previous);
    NatDecision d =
        NatPlanner.decide(
            input(
                sightings(n2HeardN3, n3HeardN2),
                ADVERTISED.keySet(),
                List.of(),
                ADVERTISED.keySet()),
            new NatState(new TreeMap<>(), new TreeMap<>(Map.of(N2N3, before))),
            NOW,
            T);
    PairPath after = d.state().paths().get(N2N3);
    assertThat(label(after)).as(why).isEqualTo(expected);
    if (before instanceof PairPath.Relayed && after instanceof PairPath.Relayed a) {
      // Relayed 100 s ago: settling runs only on packets from after that, both ways.
      assertThat(a.directSince() != null)
          .as("settling")
          .isEqualTo(Math.max(n2HeardN3, n3HeardN2) <= 101);
    }
  }

  @Test
  void settlingRestartsAfterAGap() {
    PairPath.Relayed settling =
        new PairPath.Relayed("n1", NOW.minusSeconds(100), NOW.minusSeconds(10));
    NatDecision d =
        NatPlanner.decide(
            input(sightings(-1), ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()),
            new NatState(
                new TreeMap<>(Map.of("n2", PUBLIC.get("n2"), "n3", PUBLIC.get("n3"))),
                new TreeMap<>(Map.of(N2N3, settling))),
            NOW,
            T);
    assertThat(d.state().paths().get(N2N3))
        .isEqualTo(new PairPath.Relayed("n1", NOW.minusSeconds(100), null));
    assertThat(d.changes()).isEmpty();
  }

  @Test
  void publishesWhatTheReachableNodesSeeAndKeepsIt() {
    List<Sighting> s = new ArrayList<>(sightings(-1));
    NatDecision first =
        NatPlanner.decide(
            input(s, ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()), NatState.EMPTY, NOW, T);
    assertThat(first.state().published())
        .containsExactlyInAnyOrderEntriesOf(Map.of("n2", PUBLIC.get("n2"), "n3", PUBLIC.get("n3")));
    assertThat(first.changes())
        .contains("n2: behind NAT, published at 198.51.100.2:40002 (advertised 10.0.2.2:51820)");

    // n4 now sees n2 elsewhere (a new mapping): the published endpoint stays while n1 still sees
    // the old one, and moves once nobody does.
    s.removeIf(x -> x.observer().equals("n4") && x.peer().equals("n2"));
    s.add(new Sighting("n4", "n2", "198.51.100.2:50000", NOW));
    NatDecision second =
        NatPlanner.decide(
            input(s, ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()), first.state(), NOW, T);
    assertThat(second.state().published()).containsEntry("n2", PUBLIC.get("n2"));
    assertThat(second.changes()).isEmpty();
    s.removeIf(x -> x.observer().equals("n1") && x.peer().equals("n2"));
    NatDecision third =
        NatPlanner.decide(
            input(s, ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()), second.state(), NOW, T);
    assertThat(third.state().published()).containsEntry("n2", "198.51.100.2:50000");
    assertThat(third.changes())
        .containsExactly(
            "n2: behind NAT, published at 198.51.100.2:50000 (advertised 10.0.2.2:51820)");
  }

  @Test
  void theMajorityOfReachableObserversWins() {
    List<Sighting> s = new ArrayList<>();
    s.add(new Sighting("n1", "n2", "198.51.100.2:40002", NOW.minusSeconds(5)));
    s.add(new Sighting("n4", "n2", "198.51.100.2:40002", NOW.minusSeconds(5)));
    // A later but lone claim, and one from a node that is itself behind NAT, lose.
    s.add(new Sighting("n3", "n2", "203.0.113.66:1", NOW));
    s.add(new Sighting("n1", "n3", "198.51.100.3:40003", NOW));
    NatDecision d =
        NatPlanner.decide(
            input(s, ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()), NatState.EMPTY, NOW, T);
    assertThat(d.state().published()).containsEntry("n2", "198.51.100.2:40002");
  }

  @Test
  void nodesSeenAtTheirAdvertisedEndpointAreReachable() {
    List<Sighting> s =
        List.of(
            new Sighting("n2", "n1", "192.0.2.1:51820", NOW),
            new Sighting("n1", "n4", "192.0.2.4:51820", NOW),
            new Sighting("n4", "n1", "[::ffff:192.0.2.1]:51820", NOW));
    NatDecision d =
        NatPlanner.decide(
            input(s, ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()), NatState.EMPTY, NOW, T);
    assertThat(d.natted()).isEmpty();
    assertThat(d.state().paths()).isEmpty();
    assertThat(d.state().published()).isEmpty();
  }

  @Test
  void aPairWhoseNatGoesAwayIsDirectAgain() {
    NatState relayed =
        new NatState(
            new TreeMap<>(Map.of("n3", PUBLIC.get("n3"))),
            new TreeMap<>(Map.of(N2N3, new PairPath.Relayed("n1", NOW.minusSeconds(60), null))));
    NatDecision missing =
        NatPlanner.decide(
            input(List.of(), ADVERTISED.keySet(), List.of(), ADVERTISED.keySet()), relayed, NOW, T);
    assertThat(missing.state().published()).as("no reports").isEqualTo(relayed.published());
    assertThat(missing.state().paths()).containsEntry(N2N3, relayed.paths().get(N2N3));
    assertThat(missing.changes()).isEmpty();
    NatDecision d =
        NatPlanner.decide(
            input(
                List.of(new Sighting("n1", "n3", ADVERTISED.get("n3"), NOW)),
                ADVERTISED.keySet(),
                List.of(),
                ADVERTISED.keySet()),
            relayed,
            NOW,
            T);
    assertThat(d.state().paths()).isEmpty();
    assertThat(d.changes())
        .containsExactlyInAnyOrder(
            "n3: no longer seen behind NAT, reached at its advertised endpoint",
            "n2<->n3: Direct (neither end is behind NAT any more)");
  }
}
