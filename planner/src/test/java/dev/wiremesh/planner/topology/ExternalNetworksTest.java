package dev.wiremesh.planner.topology;

import static dev.wiremesh.planner.topology.TopologyPlannerTest.show;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.planner.ipam.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The external peers' pools in a full mesh: every node that is not a gateway routes them to the
 * first gateway ahead of time, so a laptop that joins with an address from them changes the
 * gateways only; addresses outside them and networks behind external peers still change that entry
 * on every node.
 */
class ExternalNetworksTest {

  static final List<String> POOLS = List.of("10.44.255.0/24", "fd00:44::ffff:ffff:ffff:0/112");
  static final MeshSettings POOLED =
      new MeshSettings(
          "wm0", 51820, 1420, 25, false, List.of("10.44.0.0/16", "fd00:44::/64"), POOLS);

  static NodeMember node(String name, String key, boolean gateway, int i) {
    return new NodeMember(
        name,
        key,
        "192.168.0." + i + ":51820",
        List.of("10.44.0." + i, "fd00:44::" + i),
        List.of(),
        gateway);
  }

  /** n1 and n4 are gateways (n1 the first), n2 and n3 are not. */
  static final List<NodeMember> NODES =
      List.of(
          node("n1", "KA", true, 1),
          node("n2", "KB", false, 2),
          node("n3", "KC", false, 3),
          node("n4", "KD", true, 4));

  static ExternalMember external(String name, String key, List<String> ips, String... behind) {
    return new ExternalMember(name, key, null, ips, List.of(behind), null, null);
  }

  /** Joins with an address from each pool: what IPAM gives a new external peer. */
  static final ExternalMember BOB =
      external("bob", "KL", List.of("10.44.255.2", "fd00:44::ffff:ffff:ffff:2"));

  /** Allocated before the pools existed (an upgrade), or chosen by the user: outside them. */
  static final ExternalMember OLD = external("old", "KO", List.of("10.44.0.50", "fd00:44::50"));

  /** A site: a pool address, and a LAN behind it. */
  static final ExternalMember SITE =
      external(
          "site", "KS", List.of("10.44.255.1", "fd00:44::ffff:ffff:ffff:1"), "192.168.60.0/24");

  /** The peer WireGuard sends a packet for {@code address} to: the longest prefix holding it. */
  static String routeOf(PlannedDevice d, String address) {
    String best = null;
    int bestPrefix = -1;
    for (PlannedPeer p : d.peers()) {
      for (String a : p.allowedIPs()) {
        Cidr c = Cidr.parse(a);
        if (c.contains(Cidr.parseAddress(address)) && c.prefix() > bestPrefix) {
          best = p.publicKey();
          bestPrefix = c.prefix();
        }
      }
    }
    return best;
  }

  @Test
  void theFirstGatewaysEntryCarriesThePoolsAheadOfTime() {
    Map<String, PlannedDevice> plan = TopologyPlanner.plan(POOLED, NODES, List.of());
    assertThat(show(plan.get("n2")))
        .isEqualTo(
            "10.44.0.2/16,fd00:44::2/64 | KA 192.168.0.1:51820"
                + " 10.44.0.1/32,10.44.255.0/24,fd00:44::1/128,fd00:44::ffff:ffff:ffff:0/112 ka=25;"
                + " KC 192.168.0.3:51820 10.44.0.3/32,fd00:44::3/128 ka=25;"
                + " KD 192.168.0.4:51820 10.44.0.4/32,fd00:44::4/128 ka=25");
    assertThat(show(plan.get("n4")))
        .as("a gateway holds external peers themselves, not the pools")
        .doesNotContain("10.44.255.0/24");
  }

  static Stream<Arguments> joins() {
    return Stream.of(
        Arguments.of("a laptop with pool addresses", List.of(), BOB, Set.of()),
        Arguments.of(
            "a laptop with pool addresses, others already there",
            List.of(OLD, SITE),
            BOB,
            Set.of()),
        Arguments.of(
            "an external peer with addresses outside the pools",
            List.of(SITE),
            OLD,
            Set.of("10.44.0.50/32", "fd00:44::50/128")),
        Arguments.of(
            "a site with a network behind it", List.of(BOB), SITE, Set.of("192.168.60.0/24")));
  }

  /**
   * What {@code kubectl wiremesh plan} shows for a join: the gateways gain the peer and nothing
   * else; the other nodes change only when the peer brings networks the pools do not hold, and then
   * only their entry for the first gateway, by exactly those networks.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("joins")
  void aJoinChangesTheGatewaysAndOtherNodesOnlyForWhatThePoolsDoNotHold(
      String name, List<ExternalMember> present, ExternalMember joining, Set<String> gained) {
    Map<String, PlannedDevice> before = TopologyPlanner.plan(POOLED, NODES, present);
    List<ExternalMember> with = new ArrayList<>(present);
    with.add(joining);
    Map<String, PlannedDevice> after = TopologyPlanner.plan(POOLED, NODES, with);
    for (NodeMember n : NODES) {
      List<PlannedPeer> was = before.get(n.name()).peers();
      List<PlannedPeer> is = after.get(n.name()).peers();
      if (n.gateway()) {
        List<PlannedPeer> added = new ArrayList<>(is);
        added.removeAll(was);
        assertThat(added)
            .as(n.name())
            .singleElement()
            .satisfies(p -> assertThat(p.publicKey()).isEqualTo(joining.publicKey()));
        assertThat(is).as(n.name()).containsAll(was).hasSize(was.size() + 1);
        continue;
      }
      assertThat(is).as(n.name()).hasSameSizeAs(was);
      for (int i = 0; i < is.size(); i++) {
        Set<String> plus = new TreeSet<>(is.get(i).allowedIPs());
        was.get(i).allowedIPs().forEach(plus::remove);
        assertThat(plus)
            .as("%s's entry %s gains", n.name(), is.get(i).publicKey())
            .isEqualTo(is.get(i).publicKey().equals("KA") ? gained : Set.of());
        assertThat(is.get(i).allowedIPs()).containsAll(was.get(i).allowedIPs());
      }
      if (gained.isEmpty()) {
        assertThat(after.get(n.name())).as(n.name() + " unchanged").isEqualTo(before.get(n.name()));
      }
      // And it reaches every address of the joining peer through the first gateway.
      for (String a : joining.addresses()) {
        assertThat(routeOf(after.get(n.name()), a)).as(n.name() + " -> " + a).isEqualTo("KA");
      }
    }
    for (String a : joining.addresses()) {
      assertThat(routeOf(after.get("n4"), a)).as("n4 -> " + a).isEqualTo(joining.publicKey());
    }
  }

  /**
   * WireGuard holds an allowed IP on one peer of an interface only (a second peer takes it from the
   * first), and routes by the longest prefix: every pool on exactly one entry of every node that is
   * not a gateway, no network twice on a node, and a node address inside a pool (recorded before
   * the pool existed) still reached at its own entry.
   */
  @Test
  void eachPoolOnExactlyOneEntryPerNodeAndNoNetworkTwice() {
    List<NodeMember> nodes = new ArrayList<>(NODES);
    nodes.add(
        new NodeMember(
            "n5",
            "KE",
            "192.168.0.5:51820",
            List.of("10.44.255.7", "fd00:44::ffff:ffff:ffff:7"),
            List.of(),
            false));
    Map<String, PlannedDevice> plan = TopologyPlanner.plan(POOLED, nodes, List.of(BOB, OLD, SITE));
    for (NodeMember n : nodes) {
      PlannedDevice d = plan.get(n.name());
      Set<String> seen = new HashSet<>();
      for (PlannedPeer p : d.peers()) {
        for (String a : p.allowedIPs()) {
          assertThat(seen.add(a)).as("%s holds %s on one peer only", n.name(), a).isTrue();
        }
      }
      for (String pool : POOLS) {
        long holders = d.peers().stream().filter(p -> p.allowedIPs().contains(pool)).count();
        assertThat(holders)
            .as("%s: entries with %s", n.name(), pool)
            .isEqualTo(n.gateway() ? 0 : 1);
      }
      if (!n.name().equals("n5")) {
        assertThat(routeOf(d, "10.44.255.7")).as(n.name()).isEqualTo("KE");
      }
    }
  }
}
