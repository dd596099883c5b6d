package dev.wiremesh.planner.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.ipam.Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopologyPlannerTest {

  static final MeshSettings MESH =
      new MeshSettings("wm0", 51820, 1420, 25, false, List.of("10.44.0.0/16", "fd00:44::/64"));
  static final MeshSettings PODS =
      new MeshSettings("wm0", 51820, 0, 0, true, List.of("10.44.0.0/16"));

  static NodeMember node(String name, String key, boolean gateway, String... addresses) {
    return new NodeMember(
        name,
        key,
        "192.168.0." + name.charAt(name.length() - 1) + ":51820",
        List.of(addresses),
        List.of("10.244." + name.charAt(name.length() - 1) + ".0/24"),
        gateway);
  }

  static final NodeMember A = node("n1", "KA", true, "10.44.0.1", "fd00:44::1");
  static final NodeMember B = node("n2", "KB", false, "10.44.0.2", "fd00:44::2");
  static final NodeMember C = node("n3", "KC", false, "10.44.0.3");
  static final ExternalMember LAPTOP =
      new ExternalMember(
          "laptop",
          "KL",
          null,
          List.of("10.44.1.1"),
          List.of("192.168.10.0/24", "10.9.0.0/16"),
          null,
          "PSK");
  static final ExternalMember SITE =
      new ExternalMember(
          "site", "K0", "site.example.com:51820", List.of("10.44.1.2"), List.of(), 5, null);

  /**
   * Renders a node's device compactly: "addresses | peer(key endpoint allowed keepalive psk?)...".
   */
  static String show(PlannedDevice d) {
    return String.join(",", d.addresses())
        + " | "
        + d.peers().stream()
            .map(
                p ->
                    p.publicKey()
                        + " "
                        + p.endpoint()
                        + " "
                        + String.join(",", p.allowedIPs())
                        + " ka="
                        + p.persistentKeepalive()
                        + (p.presharedKey() == null ? "" : " psk"))
            .collect(Collectors.joining("; "));
  }

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(
            "a single node has no peers",
            MESH,
            List.of(A),
            List.of(),
            Map.of("n1", "10.44.0.1/16,fd00:44::1/64 | ")),
        Arguments.of(
            "full mesh between nodes, dual stack, mesh keepalive",
            MESH,
            List.of(C, A, B),
            List.of(),
            Map.of(
                "n1",
                    "10.44.0.1/16,fd00:44::1/64 | KB 192.168.0.2:51820 10.44.0.2/32,fd00:44::2/128 ka=25; KC 192.168.0.3:51820 10.44.0.3/32 ka=25",
                "n2",
                    "10.44.0.2/16,fd00:44::2/64 | KA 192.168.0.1:51820 10.44.0.1/32,fd00:44::1/128 ka=25; KC 192.168.0.3:51820 10.44.0.3/32 ka=25",
                "n3",
                    "10.44.0.3/16 | KA 192.168.0.1:51820 10.44.0.1/32,fd00:44::1/128 ka=25; KB 192.168.0.2:51820 10.44.0.2/32,fd00:44::2/128 ka=25")),
        Arguments.of(
            "externals on the gateway, others reach them through it; own keepalive wins",
            MESH,
            List.of(A, B),
            List.of(LAPTOP, SITE),
            Map.of(
                "n1",
                    "10.44.0.1/16,fd00:44::1/64 | K0 site.example.com:51820 10.44.1.2/32 ka=5; KB 192.168.0.2:51820 10.44.0.2/32,fd00:44::2/128 ka=25; KL null 10.9.0.0/16,10.44.1.1/32,192.168.10.0/24 ka=25 psk",
                "n2",
                    "10.44.0.2/16,fd00:44::2/64 | KA 192.168.0.1:51820 10.9.0.0/16,10.44.0.1/32,10.44.1.1/32,10.44.1.2/32,192.168.10.0/24,fd00:44::1/128 ka=25")),
        Arguments.of(
            "routePodCIDRs adds each node's podCIDRs to its allowed IPs",
            PODS,
            List.of(node("n1", "KA", true, "10.44.0.1"), node("n2", "KB", true, "10.44.0.2")),
            List.of(),
            Map.of(
                "n1", "10.44.0.1/16 | KB 192.168.0.2:51820 10.44.0.2/32,10.244.2.0/24 ka=0",
                "n2", "10.44.0.2/16 | KA 192.168.0.1:51820 10.44.0.1/32,10.244.1.0/24 ka=0")),
        Arguments.of(
            "no gateway, no external peers anywhere",
            MESH,
            List.of(B, C),
            List.of(LAPTOP),
            Map.of(
                "n2", "10.44.0.2/16,fd00:44::2/64 | KC 192.168.0.3:51820 10.44.0.3/32 ka=25",
                "n3", "10.44.0.3/16 | KB 192.168.0.2:51820 10.44.0.2/32,fd00:44::2/128 ka=25")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void plans(
      String name,
      MeshSettings mesh,
      List<NodeMember> nodes,
      List<ExternalMember> externals,
      Map<String, String> want) {
    Map<String, PlannedDevice> got = TopologyPlanner.plan(mesh, nodes, externals);
    assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet());
    got.forEach((node, d) -> assertThat(show(d)).as(node).isEqualTo(want.get(node)));
    got.values().forEach(d -> assertThat(d.mtu()).isEqualTo(mesh.mtu()));
  }

  @Test
  void outputIsTheSameForAnyInputOrder() {
    List<NodeMember> nodes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      nodes.add(
          new NodeMember(
              "node-" + i,
              "K" + (char) ('A' + (i * 7) % 26) + i,
              "10.0.0." + i + ":1",
              List.of("10.44.0." + (i + 1)),
              List.of("10.244." + i + ".0/24"),
              i % 5 == 0));
    }
    List<ExternalMember> ext = List.of(LAPTOP, SITE);
    Map<String, PlannedDevice> reference = TopologyPlanner.plan(PODS, nodes, ext);
    Random r = new Random(1);
    for (int i = 0; i < 10; i++) {
      List<NodeMember> shuffled = new ArrayList<>(nodes);
      Collections.shuffle(shuffled, r);
      List<ExternalMember> e = new ArrayList<>(ext);
      Collections.shuffle(e, r);
      assertThat(TopologyPlanner.plan(PODS, shuffled, e)).isEqualTo(reference);
    }
    assertThat(reference.get("node-0").peers()).hasSize(31);
    assertThat(reference.get("node-1").peers()).hasSize(29);
  }

  @Test
  void ipv6IsWrittenInRfc5952Form() {
    assertThat(Addresses.format(Cidr.parseAddress("FD00:0044:0000:0000:0000:0000:0000:0001")))
        .isEqualTo("fd00:44::1");
    assertThat(Addresses.format(Cidr.parseAddress("2001:db8:0:1:0:0:0:1")))
        .isEqualTo("2001:db8:0:1::1");
    assertThat(Addresses.format(Cidr.parseAddress("2001:db8:0:1:1:1:1:1")))
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(Addresses.format(Cidr.parseAddress("::"))).isEqualTo("::");
    assertThat(Addresses.canonicalNetwork("10.1.2.3/8")).isEqualTo("10.0.0.0/8");
  }

  /** The peers of {@code d} whose allowed IPs hold {@code address}: where WireGuard sends it. */
  static List<String> peersHolding(PlannedDevice d, String address) {
    return d.peers().stream()
        .filter(
            p ->
                p.allowedIPs().stream()
                    .anyMatch(a -> Cidr.parse(a).contains(Cidr.parseAddress(address))))
        .map(PlannedPeer::publicKey)
        .toList();
  }

  /**
   * Why a new external peer whose addresses lie outside the external peers' pools (here: a mesh
   * without them), or with networks behind it, changes one entry on the nodes that are not
   * gateways: WireGuard sends a packet only to the peer whose allowed IPs hold its destination, and
   * accepts one only from the peer whose allowed IPs hold its source. Without the external peer's
   * addresses and networks on their entry for the first gateway, those nodes could neither reach
   * the external peer nor take its answers. With the pools, that entry holds them ahead of time and
   * a laptop changes the gateways only ({@link ExternalNetworksTest}).
   */
  @Test
  void everyNodeReachesANewExternalPeerThroughExactlyOneEntryTheFirstGatewaysOnly() {
    Map<String, PlannedDevice> before = TopologyPlanner.plan(MESH, List.of(A, B, C), List.of());
    Map<String, PlannedDevice> after =
        TopologyPlanner.plan(MESH, List.of(A, B, C), List.of(LAPTOP));
    for (String address : List.of("10.44.1.1", "192.168.10.7", "10.9.200.1")) {
      assertThat(peersHolding(after.get("n1"), address))
          .as("n1 -> " + address)
          .containsExactly("KL");
      assertThat(peersHolding(after.get("n2"), address))
          .as("n2 -> " + address)
          .containsExactly("KA");
      assertThat(peersHolding(after.get("n3"), address))
          .as("n3 -> " + address)
          .containsExactly("KA");
      assertThat(peersHolding(before.get("n2"), address)).as("before: n2 -> " + address).isEmpty();
    }
    // On n2 and n3 exactly one entry changes: the first gateway's, which gains the laptop's
    // address and networks; every other entry is untouched.
    for (String n : List.of("n2", "n3")) {
      List<PlannedPeer> was = before.get(n).peers();
      List<PlannedPeer> is = after.get(n).peers();
      assertThat(is).hasSameSizeAs(was);
      for (int i = 0; i < is.size(); i++) {
        if (is.get(i).publicKey().equals("KA")) {
          assertThat(is.get(i).allowedIPs())
              .containsAll(was.get(i).allowedIPs())
              .contains("10.44.1.1/32", "192.168.10.0/24", "10.9.0.0/16")
              .hasSize(was.get(i).allowedIPs().size() + 3);
        } else {
          assertThat(is.get(i)).isEqualTo(was.get(i));
        }
      }
    }
  }
}
