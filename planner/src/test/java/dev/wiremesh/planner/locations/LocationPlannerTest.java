package dev.wiremesh.planner.locations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.PlannedPeer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The location topology as tables: who has which peers, with which allowed IPs and routes. */
class LocationPlannerTest {

  static final MeshSettings MESH =
      new MeshSettings("wm0", 51820, 1420, 25, false, List.of("10.44.0.0/16", "fd00:44::/64"));
  static final MeshSettings PODS =
      new MeshSettings("wm0", 51820, 1420, 0, true, List.of("10.44.0.0/16"));

  /** Node i: key K{i}, underlay 192.168.0.{i}, tunnel 10.44.0.{i} and fd00:44::{i}. */
  static NodeMember node(int i, boolean gateway) {
    return new NodeMember(
        String.format("n%02d", i),
        "K" + (char) ('A' + i),
        "192.168.0." + i + ":51820",
        List.of("10.44.0." + i, "fd00:44::" + i),
        List.of("10.244." + i + ".0/24"),
        gateway);
  }

  /** 3 locations x 4 nodes: n01-n04 in "a", n05-n08 in "b", n09-n12 in "c". */
  static final List<NodeMember> TWELVE =
      Stream.iterate(1, i -> i + 1).limit(12).map(i -> node(i, false)).toList();

  static final Map<String, String> ABC =
      TWELVE.stream()
          .collect(
              Collectors.toMap(
                  NodeMember::name,
                  n ->
                      String.valueOf(
                          (char) ('a' + (Integer.parseInt(n.name().substring(1)) - 1) / 4))));

  static LocationPlan plan(
      MeshSettings mesh,
      List<NodeMember> nodes,
      List<ExternalMember> externals,
      Map<String, String> locationOf,
      boolean direct) {
    // Every node alive, nobody preferred: the first node by name leads each location.
    Map<String, List<LocationLeaders.Candidate>> candidates = new TreeMap<>();
    for (NodeMember n : nodes) {
      candidates
          .computeIfAbsent(locationOf.getOrDefault(n.name(), n.name()), k -> new ArrayList<>())
          .add(new LocationLeaders.Candidate(n.name(), false, true, true));
    }
    return LocationPlanner.plan(
        mesh, nodes, externals, locationOf, LocationLeaders.elect(candidates, Map.of()), direct);
  }

  /** A node's peers as "peer-node: allowed IPs", by the key's letter. */
  static Map<String, String> peers(PlannedDevice d) {
    Map<String, String> out = new TreeMap<>();
    for (PlannedPeer p : d.peers()) {
      out.put(
          String.format("n%02d", p.publicKey().charAt(1) - 'A'), String.join(" ", p.allowedIPs()));
    }
    return out;
  }

  static List<String> routes(LocationPlan plan, String node) {
    return plan.routes(node).stream()
        .map(r -> r.to() + " via " + r.via() + " src " + r.src())
        .toList();
  }

  @Test
  void threeLocationsOfFourGiveThreeLeadersInAFullMeshAndMembersThroughTheirLeader() {
    LocationPlan plan = plan(MESH, TWELVE, List.of(), ABC, false);

    assertThat(plan.locations())
        .containsExactly(Map.entry("a", "n01"), Map.entry("b", "n05"), Map.entry("c", "n09"));
    assertThat(plan.roles().get("n01").describe()).isEqualTo("Leader of a");
    assertThat(plan.roles().get("n06").describe()).isEqualTo("Member of b");
    assertThat(plan.forwarding("n05")).isTrue();
    assertThat(plan.forwarding("n06")).isFalse();

    // Leader n1: the other two leaders, each carrying its whole location; its 3 members.
    assertThat(peers(plan.devices().get("n01")))
        .containsExactly(
            Map.entry("n02", "10.44.0.2/32 fd00:44::2/128"),
            Map.entry("n03", "10.44.0.3/32 fd00:44::3/128"),
            Map.entry("n04", "10.44.0.4/32 fd00:44::4/128"),
            Map.entry(
                "n05",
                "10.44.0.5/32 10.44.0.6/32 10.44.0.7/32 10.44.0.8/32"
                    + " fd00:44::5/128 fd00:44::6/128 fd00:44::7/128 fd00:44::8/128"),
            Map.entry(
                "n09",
                "10.44.0.9/32 10.44.0.10/32 10.44.0.11/32 10.44.0.12/32"
                    + " fd00:44::9/128 fd00:44::10/128 fd00:44::11/128 fd00:44::12/128"));
    // Member n6: the other members of b by their own addresses, and its leader n5 for the rest.
    assertThat(peers(plan.devices().get("n06")))
        .containsExactly(
            Map.entry("n05", "10.44.0.0/16 10.44.0.5/32 fd00:44::/64 fd00:44::5/128"),
            Map.entry("n07", "10.44.0.7/32 fd00:44::7/128"),
            Map.entry("n08", "10.44.0.8/32 fd00:44::8/128"));
    // Tunnels: 3 leaders x (2 leaders + 3 members) + 9 members x 3 = 42 ends, 21 tunnels (a full
    // mesh of 12 would be 66).
    int ends = plan.devices().values().stream().mapToInt(d -> d.peers().size()).sum();
    assertThat(ends).isEqualTo(42);
    assertThat(plan.devices().get("n06").addresses())
        .containsExactly("10.44.0.6/16", "fd00:44::6/64");
    assertThat(plan.routes("n06")).isEmpty();
  }

  @Test
  void directHasNoTunnelInsideALocationAndRoutesOverTheLocationsNetwork() {
    LocationPlan plan = plan(MESH, TWELVE, List.of(), ABC, true);

    assertThat(peers(plan.devices().get("n01"))).containsOnlyKeys("n05", "n09");
    assertThat(plan.devices().get("n06").peers()).isEmpty();
    assertThat(plan.devices().get("n06").addresses())
        .as("host addresses: the pools are not routed to the interface")
        .containsExactly("10.44.0.6/32", "fd00:44::6/128");
    // The underlay is IPv4: IPv6 tunnel addresses get no route in Direct mode.
    assertThat(routes(plan, "n06"))
        .containsExactly(
            "10.44.0.0/16 via 192.168.0.5 src 10.44.0.6",
            "10.44.0.5/32 via 192.168.0.5 src 10.44.0.6",
            "10.44.0.7/32 via 192.168.0.7 src 10.44.0.6",
            "10.44.0.8/32 via 192.168.0.8 src 10.44.0.6");
    assertThat(routes(plan, "n05"))
        .containsExactly(
            "10.44.0.6/32 via 192.168.0.6 src 10.44.0.5",
            "10.44.0.7/32 via 192.168.0.7 src 10.44.0.5",
            "10.44.0.8/32 via 192.168.0.8 src 10.44.0.5");
    assertThat(plan.forwarding("n05")).isTrue();
    int ends = plan.devices().values().stream().mapToInt(d -> d.peers().size()).sum();
    assertThat(ends).as("only the 3 tunnels between leaders").isEqualTo(6);
  }

  static Stream<Arguments> modes() {
    // mode, node, peers (by node), routes
    return Stream.of(
        Arguments.of(false, "n01", "n02 n03 n05", 0),
        Arguments.of(false, "n02", "n01 n03", 0),
        Arguments.of(false, "n05", "n01", 0),
        Arguments.of(true, "n01", "n05", 2),
        Arguments.of(true, "n02", "", 3),
        Arguments.of(true, "n05", "n01", 0));
  }

  @ParameterizedTest(name = "direct={0} {1}: peers [{2}], {3} routes")
  @MethodSource("modes")
  void encryptedVersusDirect(boolean direct, String node, String peers, int routes) {
    List<NodeMember> nodes =
        List.of(node(1, false), node(2, false), node(3, false), node(5, false));
    Map<String, String> loc = Map.of("n01", "x", "n02", "x", "n03", "x", "n05", "y");
    LocationPlan plan = plan(MESH, nodes, List.of(), loc, direct);
    assertThat(String.join(" ", peers(plan.devices().get(node)).keySet())).isEqualTo(peers);
    assertThat(plan.routes(node)).hasSize(routes);
  }

  @Test
  void nodesWithoutTheLabelAreEachALocationOfTheirOwn() {
    List<NodeMember> nodes =
        List.of(node(1, false), node(2, false), node(3, false), node(4, false));
    LocationPlan plan = plan(MESH, nodes, List.of(), Map.of("n01", "a", "n02", "a"), false);
    assertThat(plan.locations())
        .containsExactly(Map.entry("a", "n01"), Map.entry("n03", "n03"), Map.entry("n04", "n04"));
    assertThat(plan.roles().get("n03").describe()).isEqualTo("Leader of n03");
    assertThat(peers(plan.devices().get("n03")))
        .containsExactly(
            Map.entry("n01", "10.44.0.1/32 10.44.0.2/32 fd00:44::1/128 fd00:44::2/128"),
            Map.entry("n04", "10.44.0.4/32 fd00:44::4/128"));
    assertThat(peers(plan.devices().get("n02")).get("n01"))
        .isEqualTo("10.44.0.0/16 10.44.0.1/32 fd00:44::/64 fd00:44::1/128");
  }

  @Test
  void podCidrsOfOtherLocationsGoThroughTheLeader() {
    List<NodeMember> nodes =
        List.of(node(1, false), node(2, false), node(5, false), node(6, false));
    Map<String, String> loc = Map.of("n01", "x", "n02", "x", "n05", "y", "n06", "y");
    LocationPlan plan = plan(PODS, nodes, List.of(), loc, false);
    assertThat(peers(plan.devices().get("n02")).get("n01"))
        .isEqualTo(
            "10.44.0.0/16 10.44.0.1/32 10.244.1.0/24 10.244.5.0/24 10.244.6.0/24 fd00:44::1/128");
    assertThat(peers(plan.devices().get("n01")).get("n05"))
        .isEqualTo(
            "10.44.0.5/32 10.44.0.6/32 10.244.5.0/24 10.244.6.0/24 fd00:44::5/128 fd00:44::6/128");
  }

  @Test
  void externalPeersAttachToTheFirstGatewayLeaderWhichCarriesThemForTheOthers() {
    NodeMember g1 = node(1, true);
    NodeMember g5 = node(5, true);
    List<NodeMember> nodes = List.of(g1, node(2, false), g5, node(6, false));
    ExternalMember laptop =
        new ExternalMember(
            "laptop", "KZ", null, List.of("10.44.1.1"), List.of("192.168.50.0/24"), null, null);
    Map<String, String> loc = Map.of("n01", "x", "n02", "x", "n05", "y", "n06", "y");
    LocationPlan plan = plan(MESH, nodes, List.of(laptop), loc, false);
    assertThat(peers(plan.devices().get("n01")).get("n25"))
        .isEqualTo("10.44.1.1/32 192.168.50.0/24");
    assertThat(peers(plan.devices().get("n05")).get("n25"))
        .isEqualTo("10.44.1.1/32 192.168.50.0/24");
    // n5 reaches the laptop's networks through n1, the first gateway; n6 through its leader n5.
    assertThat(peers(plan.devices().get("n05")).get("n01"))
        .isEqualTo(
            "10.44.0.1/32 10.44.0.2/32 10.44.1.1/32 192.168.50.0/24 fd00:44::1/128 fd00:44::2/128");
    assertThat(peers(plan.devices().get("n06")).get("n05")).contains("192.168.50.0/24");
    assertThat(peers(plan.devices().get("n02"))).doesNotContainKey("n25");
  }

  static Stream<Arguments> gateways() {
    // x = n01 n02, y = n05 n06; selected nodes, leaders, the leaders that hold the laptop, why
    return Stream.of(
        Arguments.of("n02", "x=n01 y=n05", "n01", "a selected member: its leader holds it"),
        Arguments.of("n06", "x=n01 y=n05", "n05", "a member of the other location"),
        Arguments.of("n02 n06", "x=n01 y=n05", "n01 n05", "one in each location"),
        Arguments.of("n01 n02 n05 n06", "x=n01 y=n05", "n01 n05", "every node (no selector)"),
        Arguments.of("n01", "x=n02 y=n05", "n02", "the selected leader failed over to n02"),
        Arguments.of("", "x=n01 y=n05", "", "none selected: no gateway, as in a full mesh"));
  }

  @ParameterizedTest(name = "selected [{0}], leaders {1}: gateways [{2}] ({3})")
  @MethodSource("gateways")
  void externalPeersAttachToTheLeaderOfEachLocationWithASelectedNode(
      String selected, String leaders, String holders, String why) {
    List<String> chosen = selected.isEmpty() ? List.of() : List.of(selected.split(" "));
    List<NodeMember> nodes =
        Stream.of(1, 2, 5, 6)
            .map(i -> node(i, chosen.contains(String.format("n%02d", i))))
            .toList();
    Map<String, String> leaderOf = new TreeMap<>();
    for (String l : leaders.split(" ")) {
      leaderOf.put(l.substring(0, 1), l.substring(2));
    }
    ExternalMember laptop =
        new ExternalMember(
            "laptop", "KZ", null, List.of("10.44.1.1"), List.of("192.168.50.0/24"), null, null);
    Map<String, String> loc = Map.of("n01", "x", "n02", "x", "n05", "y", "n06", "y");
    LocationPlan plan = LocationPlanner.plan(MESH, nodes, List.of(laptop), loc, leaderOf, false);

    assertThat(String.join(" ", plan.gateways())).as(why).isEqualTo(holders);
    List<String> holding =
        plan.devices().keySet().stream()
            .filter(n -> peers(plan.devices().get(n)).containsKey("n25"))
            .toList();
    assertThat(String.join(" ", holding)).as(why).isEqualTo(holders);
    if (holders.isEmpty()) {
      return;
    }
    // Every other node reaches the laptop's network: through the first gateway, or its leader.
    String first = holders.split(" ")[0];
    for (String n : plan.devices().keySet()) {
      if (holding.contains(n)) {
        continue;
      }
      String via = plan.roles().get(n).leader() ? first : leaderOf.get(loc.get(n));
      assertThat(peers(plan.devices().get(n)).get(via))
          .as(why + ": " + n + " through " + via)
          .contains("192.168.50.0/24");
    }
  }

  @Test
  void theSamePlanForAnyOrderOfTheNodes() {
    LocationPlan expected = plan(PODS, TWELVE, List.of(), ABC, false);
    LocationPlan expectedDirect = plan(PODS, TWELVE, List.of(), ABC, true);
    Random random = new Random(14);
    for (int i = 0; i < 20; i++) {
      List<NodeMember> shuffled = new ArrayList<>(TWELVE);
      Collections.shuffle(shuffled, random);
      Map<String, String> locations = new HashMap<>(ABC);
      assertThat(plan(PODS, shuffled, List.of(), locations, false)).isEqualTo(expected);
      assertThat(plan(PODS, shuffled, List.of(), locations, true)).isEqualTo(expectedDirect);
    }
  }

  @Test
  void anotherLeaderChangesOnlyThatLocationsNodesAndTheOtherLeaders() {
    Map<String, String> leaders = new TreeMap<>(Map.of("a", "n01", "b", "n05", "c", "n09"));
    LocationPlan before = LocationPlanner.plan(MESH, TWELVE, List.of(), ABC, leaders, false);
    leaders.put("b", "n06");
    LocationPlan after = LocationPlanner.plan(MESH, TWELVE, List.of(), ABC, leaders, false);
    List<String> changed =
        before.devices().keySet().stream()
            .filter(n -> !before.devices().get(n).equals(after.devices().get(n)))
            .toList();
    assertThat(changed).containsExactly("n01", "n05", "n06", "n07", "n08", "n09");
    assertThat(after.roles().get("n05").describe()).isEqualTo("Member of b");
  }

  /**
   * With the external peers' pools, a laptop with pool addresses changes the gateway leader only:
   * the other leaders route the pools to it ahead of time, on exactly that entry, and members reach
   * them through their leader within the mesh's pools. An external peer with an address outside the
   * pools (allocated before them) still changes the other leaders' entry for the gateway.
   */
  @Test
  void withExternalPeerPoolsALaptopChangesOnlyTheGatewayLeader() {
    MeshSettings pooled =
        new MeshSettings(
            "wm0",
            51820,
            1420,
            25,
            false,
            List.of("10.44.0.0/16", "fd00:44::/64"),
            List.of("10.44.255.0/24", "fd00:44::ffff:ffff:ffff:0/112"));
    List<NodeMember> nodes =
        List.of(node(1, true), node(2, false), node(5, false), node(6, false), node(9, false));
    Map<String, String> loc = Map.of("n01", "x", "n02", "x", "n05", "y", "n06", "y", "n09", "z");
    ExternalMember laptop =
        new ExternalMember(
            "laptop",
            "KZ",
            null,
            List.of("10.44.255.1", "fd00:44::ffff:ffff:ffff:1"),
            List.of(),
            null,
            null);
    ExternalMember old =
        new ExternalMember(
            "old", "KY", null, List.of("10.44.0.50", "fd00:44::50"), List.of(), null, null);
    for (boolean direct : List.of(false, true)) {
      LocationPlan before = plan(pooled, nodes, List.of(), loc, direct);
      LocationPlan after = plan(pooled, nodes, List.of(laptop), loc, direct);
      for (String n : before.devices().keySet()) {
        if (n.equals("n01")) {
          assertThat(peers(after.devices().get(n))).containsKey("n25");
        } else {
          assertThat(after.devices().get(n)).as(n).isEqualTo(before.devices().get(n));
          assertThat(after.routes(n)).as(n).isEqualTo(before.routes(n));
        }
      }
      for (String leader : List.of("n05", "n09")) {
        Map<String, String> p = peers(after.devices().get(leader));
        assertThat(p.get("n01")).contains("10.44.255.0/24", "fd00:44::ffff:ffff:ffff:0/112");
        assertThat(p.values().stream().filter(a -> a.contains("10.44.255.0/24")).count())
            .as(leader)
            .isOne();
      }
      for (PlannedDevice d : after.devices().values()) {
        List<String> all = d.peers().stream().flatMap(q -> q.allowedIPs().stream()).toList();
        assertThat(all).as(d.node() + ": no network on two peers").doesNotHaveDuplicates();
      }

      LocationPlan withOld = plan(pooled, nodes, List.of(laptop, old), loc, direct);
      assertThat(peers(withOld.devices().get("n05")).get("n01"))
          .contains("10.44.0.50/32", "fd00:44::50/128");
      assertThat(withOld.devices().get("n06")).isEqualTo(after.devices().get("n06"));
    }
  }
}
