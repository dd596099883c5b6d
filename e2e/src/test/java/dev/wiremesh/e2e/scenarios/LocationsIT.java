package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.e2e.localmesh.PingStream;
import dev.wiremesh.e2e.localmesh.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The location topology on the local mesh, as {@code wiremesh-local up --nodes 4 --locations 2}
 * starts it: node-1 and node-3 in zone-1, node-2 and node-4 in zone-2, Encrypted inside a location.
 * The nodes' namespaces do not forward unless their agent turns it on. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocationsIT implements KeyScanned {

  /**
   * The documented failover time with the operator's defaults (docs/topology.md): failover-after
   * (20s) + the agent connect timeout (2s) + one push; the wait allows for this busy machine.
   */
  static final Duration FAILOVER = Duration.ofSeconds(45);

  static LocalMesh mesh;
  static KeyScan keyScan;

  @BeforeAll
  static void start() throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path state = Files.createTempDirectory("wiremesh-locations-it");
    mesh =
        LocalMesh.start(
            new LocalMesh.Options(
                    home, state, 4, "wmo", "172.30.97", 0, Duration.ofSeconds(5), true)
                .withLocations(2, null));
    keyScan = KeyScan.watch(mesh);
  }

  @AfterAll
  static void stop() {
    KeyScan.close(keyScan, mesh);
  }

  @Override
  public KeyScan keyScan() {
    return keyScan;
  }

  static Map<String, String> leaders() {
    WireGuardMesh m = mesh.client().resources(WireGuardMesh.class).withName("mesh").get();
    if (m == null || m.getStatus() == null || m.getStatus().getLocations() == null) {
      return Map.of();
    }
    return m.getStatus().getLocations().stream()
        .collect(
            Collectors.toMap(
                LocationStatus::getName, LocationStatus::getLeader, (a, b) -> a, TreeMap::new));
  }

  static String role(String node) {
    WireGuardPeer p = mesh.client().resources(WireGuardPeer.class).withName("mesh-" + node).get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getRole();
  }

  static String key(String node) {
    return mesh.client()
        .resources(WireGuardPeer.class)
        .withName("mesh-" + node)
        .get()
        .getStatus()
        .getPublicKey();
  }

  static String forwarding(String node, String iface) {
    return Sh.run(
            Sh.inNetns(
                mesh.node(node).netns(), "cat", "/proc/sys/net/ipv4/conf/" + iface + "/forwarding"))
        .strip();
  }

  static List<String> addressesOf(String node) {
    return mesh.tunnelAddresses().entrySet().stream()
        .filter(e -> e.getValue().equals(node))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** The other node of a two-node zone. */
  static String other(String zone, String node) {
    List<String> nodes =
        zone.equals("zone-1") ? List.of("node-1", "node-3") : List.of("node-2", "node-4");
    return nodes.get(0).equals(node) ? nodes.get(1) : nodes.get(0);
  }

  @Test
  @Order(1)
  void everyNodeReachesEveryOtherThroughTheLeadersAndMembersHoldOnlyTheirLocation() {
    PingMatrix matrix = mesh.awaitUp(Duration.ofSeconds(180));
    System.out.println(matrix.render());
    assertThat(matrix.complete()).as(matrix.render()).isTrue();
    // Which node of a zone leads depends on whose agent answered first (the role never moves
    // back to a node that came later): either is right, exactly one leads.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(leaders()).containsOnlyKeys("zone-1", "zone-2");
              assertThat(leaders().get("zone-1")).isIn("node-1", "node-3");
              assertThat(leaders().get("zone-2")).isIn("node-2", "node-4");
              for (var e : leaders().entrySet()) {
                assertThat(role(e.getValue())).isEqualTo("Leader of " + e.getKey());
                assertThat(role(other(e.getKey(), e.getValue())))
                    .isEqualTo("Member of " + e.getKey());
              }
            });
    String leader1 = leaders().get("zone-1");
    String leader2 = leaders().get("zone-2");
    String member1 = other("zone-1", leader1);
    String member2 = other("zone-2", leader2);
    // wg on a member: only its leader (its location's only other node); on a leader: its member
    // and the other leader (on node-1, the only gateway, also the example's laptop if it leads).
    assertThat(mesh.agentPeers(member1, "wm0")).containsExactly(key(leader1));
    assertThat(mesh.agentPeers(member2, "wm0")).containsExactly(key(leader2));
    assertThat(mesh.agentPeers(leader2, "wm0"))
        .containsExactlyInAnyOrder(key(member2), key(leader1));
    assertThat(mesh.agentPeers(leader1, "wm0")).contains(key(member1), key(leader2));
    // The leaders' agents turned forwarding on; the members' did not.
    assertThat(forwarding(leader1, "wm0")).isEqualTo("1");
    assertThat(forwarding(leader2, "wm0")).isEqualTo("1");
    assertThat(forwarding(member1, "wm0")).isEqualTo("0");
    assertThat(forwarding(member2, "wm0")).isEqualTo("0");
    System.out.println(mesh.peerTable());
  }

  @Test
  @Order(2)
  void whenALeaderGoesAnotherTakesOverAndTheOldOneDoesNotTakeItBack() {
    String leader1 = leaders().get("zone-1");
    String old = leaders().get("zone-2");
    String next = other("zone-2", old);
    // zone-2's leader goes: its agent stops and its link is cut.
    long t0 = System.nanoTime();
    mesh.node(old).agent().stop();
    mesh.cutLink(old);
    await()
        .atMost(FAILOVER)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              for (String to : List.of("node-1", "node-3")) {
                for (String a : addressesOf(to)) {
                  assertThat(PingMatrix.ping(mesh.node(next).netns(), a, 1))
                      .as(next + " -> " + to + " " + a)
                      .isTrue();
                }
              }
            });
    System.out.printf(
        "cross-location traffic back through the new leader after %.1f s%n",
        (System.nanoTime() - t0) / 1e9);
    // The statuses are written after the pushes that made the pings pass: wait for them.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(leaders()).containsEntry("zone-2", next);
              assertThat(role(next)).isEqualTo("Leader of zone-2");
            });
    assertThat(forwarding(next, "wm0")).isEqualTo("1");
    assertThat(mesh.agentPeers(other("zone-1", leader1), "wm0")).containsExactly(key(leader1));

    // The old leader returns: it rejoins as a member, and over a reconcile period and more nothing
    // changes: the same leaders, the same configurations.
    mesh.restoreLink(old);
    try {
      mesh.node(old).agent().start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    PingMatrix matrix = mesh.awaitUp(Duration.ofSeconds(120));
    assertThat(matrix.complete()).as(matrix.render()).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> "Member of zone-2".equals(role(old)));
    Map<String, Set<String>> peers = new TreeMap<>();
    for (String n : List.of("node-1", "node-2", "node-3", "node-4")) {
      peers.put(n, mesh.agentPeers(n, "wm0"));
    }
    await()
        .during(mesh.options().resync().multipliedBy(3))
        .atMost(mesh.options().resync().multipliedBy(3).plusSeconds(10))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(leaders())
                  .containsExactly(Map.entry("zone-1", leader1), Map.entry("zone-2", next));
              for (String n : peers.keySet()) {
                assertThat(mesh.agentPeers(n, "wm0")).as(n).isEqualTo(peers.get(n));
              }
            });
    assertThat(mesh.agentPeers(old, "wm0")).containsExactly(key(next));
    assertThat(forwarding(old, "wm0")).isEqualTo("0");
  }

  /** The node's tunnel address of one family. */
  static String address(String node, boolean v6) {
    return mesh.tunnelAddresses().entrySet().stream()
        .filter(e -> e.getValue().equals(node) && e.getKey().contains(":") == v6)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + (v6 ? "IPv6" : "IPv4") + " for " + node));
  }

  static String netns(String node) {
    return mesh.node(node).netns();
  }

  /** How {@code node} routes to {@code address}: `ip route get`'s line. */
  static String routeTo(String node, String address) {
    return Sh.run(Sh.inNetns(netns(node), "ip", "route", "get", address)).strip();
  }

  static final List<String> NODES = List.of("node-1", "node-2", "node-3", "node-4");

  /** What must hold of a location: its zone, leader and member, with every location's leader. */
  interface LocationCheck {
    void check(Map<String, String> leaders, String zone, String leader, String member);
  }

  /** Waits until both zones have a leader and {@code check} holds for each. */
  static void awaitEachLocation(LocationCheck check) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Map<String, String> leaders = leaders();
              assertThat(leaders).containsOnlyKeys("zone-1", "zone-2");
              for (var e : leaders.entrySet()) {
                check.check(leaders, e.getKey(), e.getValue(), other(e.getKey(), e.getValue()));
              }
            });
  }

  @Test
  @Order(3)
  void toAFullMeshAndBackWithoutAnOutageInsideALocation() throws Exception {
    String l1 = leaders().get("zone-1");
    String m1 = other("zone-1", l1);
    String m2 = other("zone-2", leaders().get("zone-2"));
    // 20 echo requests a second throughout both changes: inside zone-1 (IPv4 and IPv6) and
    // from zone-1's member to zone-2's.
    List<PingStream> streams =
        List.of(
            PingStream.start(m1 + " -> " + l1 + " (zone-1)", netns(m1), address(l1, false), 50),
            PingStream.start(m1 + " -> " + l1 + " IPv6 (zone-1)", netns(m1), address(l1, true), 50),
            PingStream.start(m1 + " -> " + m2 + " (across)", netns(m1), address(m2, false), 50));
    List<PingStream.Result> results = new java.util.ArrayList<>();
    try {
      long t0 = System.nanoTime();
      mesh.topology(MeshTopology.Mode.FullMesh, null);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                for (String n : NODES) {
                  assertThat(mesh.agentPeers(n, "wm0"))
                      .as(n + " holds every other node")
                      .containsAll(
                          NODES.stream().filter(o -> !o.equals(n)).map(LocationsIT::key).toList());
                  assertThat(forwarding(n, "wm0")).as(n + " forwards no more").isEqualTo("0");
                }
                assertThat(role(m1)).as("no role in a full mesh").isNull();
              });
      System.out.printf(
          "Locations -> FullMesh on every agent after %.1f s%n", (System.nanoTime() - t0) / 1e9);
      PingMatrix full = mesh.awaitUp(Duration.ofSeconds(60));
      assertThat(full.complete()).as(full.render()).isTrue();

      long t1 = System.nanoTime();
      mesh.topology(MeshTopology.Mode.Locations, null);
      awaitEachLocation(
          (leaders, zone, leader, member) -> {
            assertThat(mesh.agentPeers(member, "wm0"))
                .as(member + " holds only its leader")
                .containsExactly(key(leader));
            assertThat(forwarding(leader, "wm0")).isEqualTo("1");
          });
      System.out.printf(
          "FullMesh -> Locations on every agent after %.1f s%n", (System.nanoTime() - t1) / 1e9);
      PingMatrix located = mesh.awaitUp(Duration.ofSeconds(60));
      assertThat(located.complete()).as(located.render()).isTrue();
    } finally {
      for (PingStream p : streams) {
        results.add(p.stop());
      }
      results.forEach(System.out::println);
    }
    // Inside a location the tunnels stay through both changes (the peers are changed in place):
    // not one echo request lost. Across locations, the path moves between the direct tunnel and
    // the leaders, node by node: the loss is printed (docs/topology.md), and the matrix above
    // shows that it came back.
    assertThat(results.get(0).lost()).as(results.get(0).toString()).isZero();
    assertThat(results.get(1).lost()).as(results.get(1).toString()).isZero();
    assertThat(results.get(2).lost())
        .as(results.get(2) + ": not an outage of the whole change")
        .isLessThan(results.get(2).sent());
  }

  @Test
  @Order(4)
  void directInsideALocationNodesMeetOverTheirOwnNetworkAndOtherLocationsThroughTheLeaders() {
    mesh.topology(MeshTopology.Mode.Locations, MeshTopology.IntraLocation.Direct);
    awaitEachLocation(
        (leaders, zone, leader, member) -> {
          assertThat(mesh.agentPeers(member, "wm0"))
              .as(member + ": no tunnel at all in Direct mode")
              .isEmpty();
          assertThat(mesh.agentPeers(leader, "wm0"))
              .as(leader + ": the other leader, not its member")
              .contains(key(leaders.get(zone.equals("zone-1") ? "zone-2" : "zone-1")))
              .doesNotContain(key(member));
        });
    PingMatrix matrix = mesh.awaitUp(Duration.ofSeconds(90));
    System.out.println(matrix.render());
    assertThat(matrix.complete()).as(matrix.render()).isTrue();

    String l1 = leaders().get("zone-1");
    String l2 = leaders().get("zone-2");
    String m1 = other("zone-1", l1);
    String m2 = other("zone-2", l2);
    String eth = " dev eth0 ";
    // Inside zone-1: over the bridge, each to the other's own address, both ways.
    assertThat(routeTo(m1, address(l1, false))).contains("via " + mesh.node(l1).address() + eth);
    assertThat(routeTo(l1, address(m1, false))).contains("via " + mesh.node(m1).address() + eth);
    // To zone-2: the member through its leader over the bridge, the leader through the tunnel.
    assertThat(routeTo(m1, address(m2, false))).contains("via " + mesh.node(l1).address() + eth);
    assertThat(routeTo(l1, address(m2, false))).contains(" dev wm0 ");
    assertThat(routeTo(m2, address(m1, false))).contains("via " + mesh.node(l2).address() + eth);
    // The leaders forward between the bridge and the tunnel; the members do not.
    assertThat(forwarding(l1, "eth0")).isEqualTo("1");
    assertThat(forwarding(m1, "eth0")).isEqualTo("0");
    System.out.println(mesh.peerTable());
  }
}
