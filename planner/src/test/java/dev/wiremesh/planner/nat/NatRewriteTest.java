package dev.wiremesh.planner.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.ConfigHash;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What a decision does to the planned configurations of a full mesh of four nodes. */
class NatRewriteTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
  static final NatTimings T = NatTimings.forKeepalive(0);

  static String key(String n) {
    return "key-" + n;
  }

  static String ip(String n) {
    return "10.100.0." + n.substring(1) + "/32";
  }

  static Map<String, DeviceConfig> fullMesh() {
    Map<String, PeerConfig> entries = new TreeMap<>();
    NODES.forEach(
        n ->
            entries.put(
                n,
                new PeerConfig(
                    key(n), null, "192.0.2." + n.substring(1) + ":51820", List.of(ip(n)), 0)));
    Map<String, DeviceConfig> out = new TreeMap<>();
    for (String n : NODES) {
      List<PeerConfig> peers = new ArrayList<>();
      NODES.stream().filter(o -> !o.equals(n)).forEach(o -> peers.add(entries.get(o)));
      out.put(
          n,
          new DeviceConfig(
                  null, "wm0", List.of("10.100.0." + n.substring(1) + "/24"), 51820, 1420, peers)
              .withHash());
    }
    return out;
  }

  static Map<String, String> keys() {
    Map<String, String> k = new TreeMap<>();
    NODES.forEach(n -> k.put(n, key(n)));
    return k;
  }

  static PeerConfig entry(DeviceConfig c, String n) {
    return c.peers().stream().filter(p -> p.publicKey().equals(key(n))).findFirst().orElseThrow();
  }

  @Test
  void publishesKeepsAliveAndRelaysThroughTheRelaysTunnels() {
    Map<String, DeviceConfig> planned = fullMesh();
    NatDecision d =
        new NatDecision(
            new TreeSet<>(List.of("n2", "n3")),
            new NatState(
                new TreeMap<>(Map.of("n2", "198.51.100.2:40002", "n3", "198.51.100.3:40003")),
                new TreeMap<>(Map.of(Pair.of("n2", "n3"), new PairPath.Relayed("n1", NOW, null)))),
            List.of());
    Map<String, DeviceConfig> out = NatRewrite.apply(planned, keys(), d, T);

    // The others reach n3 at its NAT's public endpoint, with keepalives; one shared entry.
    assertThat(entry(out.get("n4"), "n3").endpoint()).isEqualTo("198.51.100.3:40003");
    assertThat(entry(out.get("n4"), "n3").persistentKeepalive()).isEqualTo(25);
    assertThat(entry(out.get("n4"), "n3")).isSameAs(entry(out.get("n1"), "n3"));
    // n3 keeps n4's advertised endpoint but sends keepalives to it (it initiates too).
    assertThat(entry(out.get("n3"), "n4").endpoint()).isEqualTo("192.0.2.4:51820");
    assertThat(entry(out.get("n3"), "n4").persistentKeepalive()).isEqualTo(25);
    // Two reachable nodes: untouched.
    assertThat(entry(out.get("n1"), "n4")).isSameAs(entry(planned.get("n1"), "n4"));
    assertThat(out.get("n4").peers()).contains(entry(planned.get("n4"), "n1"));

    // The relayed pair: each keeps trying the other directly (endpoint, keepalive), without its
    // allowed IPs, which its entry for the relay carries instead.
    PeerConfig n2ToN3 = entry(out.get("n2"), "n3");
    assertThat(n2ToN3.allowedIPs()).isEmpty();
    assertThat(n2ToN3.endpoint()).isEqualTo("198.51.100.3:40003");
    assertThat(n2ToN3.persistentKeepalive()).isEqualTo(25);
    assertThat(entry(out.get("n2"), "n1").allowedIPs()).containsExactly(ip("n1"), ip("n3"));
    assertThat(entry(out.get("n3"), "n2").allowedIPs()).isEmpty();
    assertThat(entry(out.get("n3"), "n1").allowedIPs()).containsExactly(ip("n1"), ip("n2"));
    // The relay forwards, and holds both ends as before.
    assertThat(out.get("n1").forwarding()).isTrue();
    assertThat(entry(out.get("n1"), "n2").allowedIPs()).containsExactly(ip("n2"));
    assertThat(entry(out.get("n1"), "n3").allowedIPs()).containsExactly(ip("n3"));
    assertThat(out.get("n4").forwarding()).isFalse();
    // n4 is not part of the relayed pair: it reaches n2 and n3 directly.
    assertThat(entry(out.get("n4"), "n2").allowedIPs()).containsExactly(ip("n2"));

    out.forEach((n, c) -> assertThat(c.hash()).as(n).isEqualTo(ConfigHash.of(c)));
    assertThat(out.get("n1").hash()).isNotEqualTo(planned.get("n1").hash());
  }

  @Test
  void withoutNatNothingChanges() {
    Map<String, DeviceConfig> planned = fullMesh();
    NatDecision d = new NatDecision(new TreeSet<>(), NatState.EMPTY, List.of());
    assertThat(NatRewrite.apply(planned, keys(), d, T)).isSameAs(planned);
  }

  @Test
  void theMeshsOwnKeepaliveIsKept() {
    NatTimings mesh10 = NatTimings.forKeepalive(10);
    assertThat(mesh10.keepalive()).isEqualTo(10);
    assertThat(mesh10.lost()).hasSeconds(25);
    assertThat(T.lost()).hasSeconds(55);
    // A session lives 180 s; the quiet end of an idle pair is heard at the next handshake.
    assertThat(mesh10.maxAge()).hasSeconds(200);
    assertThat(T.maxAge()).hasSeconds(215);
  }
}
