package dev.wiremesh.planner.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.planner.ipam.AddressOutcome.Assigned;
import dev.wiremesh.planner.ipam.AddressOutcome.Conflict;
import dev.wiremesh.planner.ipam.AddressOutcome.Exhausted;
import dev.wiremesh.planner.ipam.AddressOutcome.Invalid;
import dev.wiremesh.planner.ipam.Ipam.Request;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IpamTest {

  static final List<Cidr> V4 = List.of(Cidr.parse("10.44.0.0/24"));
  static final List<Cidr> DUAL = List.of(Cidr.parse("10.44.0.0/24"), Cidr.parse("fd00:44::/64"));

  static Request req(String peer, List<String> requested, List<String> recorded) {
    return new Request(peer, requested, recorded);
  }

  static Request fresh(String peer) {
    return new Request(peer, List.of(), List.of());
  }

  /** Renders an outcome as a short string so tables stay readable. */
  static String show(AddressOutcome o) {
    return switch (o) {
      case Assigned a ->
          String.join(",", a.addresses().stream().map(InetAddress::getHostAddress).toList());
      case Conflict c -> "conflict: " + c.message();
      case Invalid i -> "invalid: " + i.message();
      case Exhausted x -> "exhausted: " + x.message();
    };
  }

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(
            "fresh peers get the lowest free addresses in name order, skipping the network address",
            V4,
            List.of(fresh("b"), fresh("a")),
            Map.of("a", "10.44.0.1", "b", "10.44.0.2")),
        Arguments.of(
            "dual stack: one address from each pool",
            DUAL,
            List.of(fresh("a"), fresh("b")),
            Map.of("a", "10.44.0.1,fd00:44:0:0:0:0:0:1", "b", "10.44.0.2,fd00:44:0:0:0:0:0:2")),
        Arguments.of(
            "recorded addresses are kept; new peers fill the gaps",
            V4,
            List.of(req("a", List.of(), List.of("10.44.0.7")), fresh("b"), fresh("c")),
            Map.of("a", "10.44.0.7", "b", "10.44.0.1", "c", "10.44.0.2")),
        Arguments.of(
            "recorded address with a /32 suffix is understood",
            V4,
            List.of(req("z", List.of(), List.of("10.44.0.9/32")), fresh("a")),
            Map.of("a", "10.44.0.1", "z", "10.44.0.9")),
        Arguments.of(
            "a recorded address outside the pools (pool changed) is replaced",
            V4,
            List.of(req("a", List.of(), List.of("10.99.0.1"))),
            Map.of("a", "10.44.0.1")),
        Arguments.of(
            "two statuses claiming one address: the first by name keeps it",
            V4,
            List.of(
                req("b", List.of(), List.of("10.44.0.5")),
                req("a", List.of(), List.of("10.44.0.5"))),
            Map.of("a", "10.44.0.5", "b", "10.44.0.1")),
        Arguments.of(
            "user-chosen address inside the pool is honoured and not given to others",
            V4,
            List.of(req("b", List.of("10.44.0.1"), List.of()), fresh("a")),
            Map.of("a", "10.44.0.2", "b", "10.44.0.1")),
        Arguments.of(
            "user-chosen address held by another peer: conflict, the holder keeps it",
            V4,
            List.of(
                req("a", List.of("10.44.0.3"), List.of()),
                req("b", List.of(), List.of("10.44.0.3"))),
            Map.of(
                "a",
                "conflict: address 10.44.0.3 is already assigned to peer b",
                "b",
                "10.44.0.3")),
        Arguments.of(
            "two users choose one address: the first by name wins",
            V4,
            List.of(
                req("b", List.of("10.44.0.3"), List.of()),
                req("a", List.of("10.44.0.3"), List.of())),
            Map.of("a", "10.44.0.3", "b", "conflict: address 10.44.0.3 is also chosen by peer a")),
        Arguments.of(
            "user-chosen address outside the pools is invalid",
            V4,
            List.of(req("a", List.of("192.168.1.1"), List.of())),
            Map.of(
                "a",
                "invalid: spec.address '192.168.1.1' lies outside the mesh's address pools [10.44.0.0/24]")),
        Arguments.of(
            "user-chosen broadcast address is invalid",
            V4,
            List.of(req("a", List.of("10.44.0.255"), List.of())),
            Map.of(
                "a",
                "invalid: spec.address '10.44.0.255' is the network or broadcast address of pool 10.44.0.0/24")),
        Arguments.of(
            "user-chosen garbage is invalid and names the value",
            V4,
            List.of(req("a", List.of("10.44.0.300"), List.of())),
            Map.of(
                "a",
                "invalid: spec.address: '10.44.0.300' is not an IP address: expected e.g. 10.44.0.1 or fd00::1")),
        Arguments.of(
            "user-chosen IPv6",
            DUAL,
            List.of(req("a", List.of("fd00:44::99"), List.of()), fresh("b")),
            Map.of("a", "fd00:44:0:0:0:0:0:99", "b", "10.44.0.1,fd00:44:0:0:0:0:0:1")),
        Arguments.of(
            "a /30 holds two hosts; the third peer finds the pool exhausted",
            List.of(Cidr.parse("10.0.0.0/30")),
            List.of(fresh("a"), fresh("b"), fresh("c")),
            Map.of(
                "a",
                "10.0.0.1",
                "b",
                "10.0.0.2",
                "c",
                "exhausted: address pool 10.0.0.0/30 has no free address")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void allocates(String name, List<Cidr> pools, List<Request> requests, Map<String, String> want) {
    Map<String, AddressOutcome> got = Ipam.allocate(pools, requests);
    assertThat(got).hasSize(want.size());
    got.forEach((peer, outcome) -> assertThat(show(outcome)).as(peer).isEqualTo(want.get(peer)));
  }

  static Request external(String peer, List<String> requested, List<String> recorded) {
    return new Request(peer, requested, recorded, true);
  }

  /**
   * 10.44.0.0/24 with its last four addresses kept for external peers (a /30, to fill it quickly).
   */
  static final List<Cidr> RESERVED = List.of(Cidr.parse("10.44.0.252/30"));

  static Stream<Arguments> reserved() {
    return Stream.of(
        Arguments.of(
            "external peers from the reserved part, nodes from the rest, in name order",
            V4,
            RESERVED,
            List.of(
                external("laptop-b", List.of(), List.of()),
                fresh("node-1"),
                fresh("node-2"),
                external("laptop-a", List.of(), List.of())),
            Map.of(
                "laptop-a", "10.44.0.253",
                "laptop-b", "10.44.0.254",
                "node-1", "10.44.0.1",
                "node-2", "10.44.0.2")),
        Arguments.of(
            "the reserved part's first and last addresses are never given; when it is full, from"
                + " the rest of the pool",
            V4,
            RESERVED,
            List.of(
                external("a", List.of(), List.of()),
                external("b", List.of(), List.of()),
                external("c", List.of(), List.of())),
            Map.of("a", "10.44.0.253", "b", "10.44.0.254", "c", "10.44.0.1")),
        Arguments.of(
            "an external peer allocated before the pool existed keeps its address (upgrade)",
            V4,
            RESERVED,
            List.of(external("laptop", List.of(), List.of("10.44.0.1")), fresh("node-1")),
            Map.of("laptop", "10.44.0.1", "node-1", "10.44.0.2")),
        Arguments.of(
            "a node whose recorded address lies in the reserved part keeps it: nodes never move",
            V4,
            RESERVED,
            List.of(
                req("node-1", List.of(), List.of("10.44.0.253")),
                external("x", List.of(), List.of())),
            Map.of("node-1", "10.44.0.253", "x", "10.44.0.254")),
        Arguments.of(
            "a user-chosen address outside the reserved part is honoured",
            V4,
            RESERVED,
            List.of(external("site", List.of("10.44.0.9"), List.of())),
            Map.of("site", "10.44.0.9")),
        Arguments.of(
            "nodes skip the reserved part; when the rest is full they find the pool exhausted",
            List.of(Cidr.parse("10.0.0.0/29")),
            List.of(Cidr.parse("10.0.0.4/30")),
            List.of(fresh("a"), fresh("b"), fresh("c"), fresh("d")),
            Map.of(
                "a", "10.0.0.1",
                "b", "10.0.0.2",
                "c", "10.0.0.3",
                "d",
                    "exhausted: address pool 10.0.0.0/29 has no free address (10.0.0.4/30 is kept"
                        + " for external peers)")),
        Arguments.of(
            "dual stack: one address from each family's reserved part",
            DUAL,
            List.of(Cidr.parse("10.44.0.192/26"), Cidr.parse("fd00:44::ffff:0/112")),
            List.of(external("laptop", List.of(), List.of()), fresh("node")),
            Map.of(
                "laptop", "10.44.0.193,fd00:44:0:0:0:0:ffff:1",
                "node", "10.44.0.1,fd00:44:0:0:0:0:0:1")),
        Arguments.of(
            "a family without a reserved part: from the pool as a node",
            DUAL,
            List.of(Cidr.parse("10.44.0.192/26")),
            List.of(external("laptop", List.of(), List.of()), fresh("node")),
            Map.of(
                "laptop", "10.44.0.193,fd00:44:0:0:0:0:0:1",
                "node", "10.44.0.1,fd00:44:0:0:0:0:0:2")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reserved")
  void allocatesExternalPeersFromTheirPool(
      String name,
      List<Cidr> pools,
      List<Cidr> externalPools,
      List<Request> requests,
      Map<String, String> want) {
    Map<String, AddressOutcome> got = Ipam.allocate(pools, externalPools, requests);
    assertThat(got).hasSize(want.size());
    got.forEach((peer, outcome) -> assertThat(show(outcome)).as(peer).isEqualTo(want.get(peer)));
  }

  @Test
  void nodesSkipAReservedPartAtTheStartOfAnIpv6PoolWithoutWalkingIt() {
    List<Cidr> pools = List.of(Cidr.parse("fd00:44::/64"));
    List<Cidr> reserved = List.of(Cidr.parse("fd00:44::/80"));
    Map<String, AddressOutcome> got =
        Ipam.allocate(
            pools, reserved, List.of(fresh("node"), external("laptop", List.of(), List.of())));
    assertThat(show(got.get("node"))).isEqualTo("fd00:44:0:0:1:0:0:0");
    assertThat(show(got.get("laptop"))).isEqualTo("fd00:44:0:0:0:0:0:1");
  }

  @Test
  void restartWithRecordedAddressesGivesTheSameResult() {
    List<Request> first = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      first.add(fresh("node-" + i));
    }
    Map<String, AddressOutcome> before = Ipam.allocate(DUAL, first);
    // The operator restarts: the statuses are the record; peers come in any order; one new node.
    List<Request> second = new ArrayList<>();
    before.forEach(
        (peer, o) ->
            second.add(
                req(
                    peer,
                    List.of(),
                    ((Assigned) o)
                        .addresses().stream().map(InetAddress::getHostAddress).toList())));
    second.add(fresh("node-new"));
    Collections.shuffle(second, new Random(7));
    Map<String, AddressOutcome> after = Ipam.allocate(DUAL, second);
    before.forEach((peer, o) -> assertThat(after.get(peer)).isEqualTo(o));
    assertThat(show(after.get("node-new"))).isEqualTo("10.44.0.51,fd00:44:0:0:0:0:0:33");
  }

  @Test
  void neverAssignsAnAddressTwiceUnderRandomInput() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      List<Request> requests = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        List<String> requested =
            random.nextInt(5) == 0 ? List.of("10.44.0." + (1 + random.nextInt(60))) : List.of();
        List<String> recorded =
            random.nextInt(2) == 0 ? List.of("10.44.0." + random.nextInt(256)) : List.of();
        requests.add(req("p" + i, requested, recorded));
      }
      var seen = new HashSet<InetAddress>();
      for (AddressOutcome o : Ipam.allocate(V4, requests).values()) {
        if (o instanceof Assigned a) {
          for (InetAddress address : a.addresses()) {
            assertThat(seen.add(address)).as("%s assigned twice", address).isTrue();
            assertThat(V4.getFirst().contains(address)).isTrue();
          }
        }
      }
    }
  }

  @Test
  void cidrParsingNamesTheValueAndWhatIsValid() {
    assertThat(Cidr.parse("fd00::/8").toString()).isEqualTo("fd00:0:0:0:0:0:0:0/8");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/24"))
        .hasMessage("'10.0.0.1/24' has host bits set: the network is 10.0.0.0/24");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .hasMessage("'10.0.0.0/33' has an invalid prefix length: valid is 0-32");
    assertThatThrownBy(() -> Cidr.parse("example.com/24"))
        .hasMessageContaining("'example.com' is not an IP address");
    assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.44.0.0/16"))).isTrue();
  }
}
