package dev.wiremesh.planner.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.PeerStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which reports are believed: only endpoints seen on an authenticated packet, about a peer the
 * reporter has a tunnel to, confirmed by that peer's own handshake with the reporter.
 */
class SightingsTest {
  static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  static final long T = NOW.getEpochSecond();
  static final NatTimings TIMINGS = NatTimings.forKeepalive(0);
  static final Map<String, String> NODE_BY_KEY = Map.of("k1", "n1", "k2", "n2", "k3", "n3");
  static final Map<String, Set<String>> FULL_MESH =
      Map.of("n1", Set.of("n2", "n3"), "n2", Set.of("n1", "n3"), "n3", Set.of("n1", "n2"));

  static PeerStatus seen(String key, String endpoint, Long seen, long handshake) {
    return new PeerStatus(key, endpoint, handshake, 1, 1, null, seen);
  }

  static List<Sighting> believed(Map<String, DeviceStatus> statuses) {
    return Sightings.believed(NODE_BY_KEY, FULL_MESH, statuses, NOW, TIMINGS);
  }

  @Test
  void anAuthenticatedAndConfirmedSightingIsBelieved() {
    var statuses =
        Map.of(
            "n1",
            new DeviceStatus(
                "h", "k1", 51820, List.of(seen("k2", "198.51.100.2:40002", T - 3, T - 3))),
            "n2",
            new DeviceStatus(
                "h", "k2", 51820, List.of(seen("k1", "192.0.2.1:51820", T - 3, T - 3))));
    assertThat(believed(statuses))
        .containsExactly(
            new Sighting("n2", "n1", "192.0.2.1:51820", NOW.minusSeconds(3)),
            new Sighting("n1", "n2", "198.51.100.2:40002", NOW.minusSeconds(3)));
  }

  @Test
  void anEndpointNotSeenOnAnAuthenticatedPacketIsIgnored() {
    // n1 holds n2 at the endpoint it was configured with and never heard from it there (no
    // endpointSeen), though n2 confirms a handshake: configured is not observed.
    var statuses =
        Map.of(
            "n1",
            new DeviceStatus("h", "k1", 51820, List.of(seen("k2", "203.0.113.9:9", null, T - 3))),
            "n2",
            new DeviceStatus(
                "h", "k2", 51820, List.of(seen("k1", "192.0.2.1:51820", null, T - 3))));
    assertThat(believed(statuses)).isEmpty();
  }

  @Test
  void aSightingThePeerDoesNotConfirmIsIgnored() {
    // n3 claims it hears n2 at an address of its choosing; n2 has no handshake with n3.
    var statuses =
        Map.of(
            "n3",
            new DeviceStatus("h", "k3", 51820, List.of(seen("k2", "203.0.113.66:51820", T, T))),
            "n2",
            new DeviceStatus("h", "k2", 51820, List.of(seen("k3", "192.0.2.3:51820", null, 0))));
    assertThat(believed(statuses)).isEmpty();
    // Nor does it count when the peer's agent did not answer at all.
    assertThat(believed(Map.of("n3", statuses.get("n3")))).isEmpty();
  }

  @Test
  void aNodeCannotSpeakForATunnelItDoesNotHave() {
    // n3 has no tunnel to n2 in its plan (say a location member): its report about n2 is ignored
    // even with a confirming handshake.
    var statuses =
        Map.of(
            "n3",
            new DeviceStatus("h", "k3", 51820, List.of(seen("k2", "203.0.113.66:51820", T, T))),
            "n2",
            new DeviceStatus("h", "k2", 51820, List.of(seen("k3", "192.0.2.3:51820", T, T))));
    var plan = Map.of("n2", Set.of("n1", "n3"), "n3", Set.of("n1"));
    assertThat(Sightings.believed(NODE_BY_KEY, plan, statuses, NOW, TIMINGS))
        .extracting(Sighting::observer)
        .containsExactly("n2");
  }

  @Test
  void unknownPeersOldReportsAndNamesAreIgnored() {
    var statuses =
        Map.of(
            "n1",
            new DeviceStatus(
                "h",
                "k1",
                51820,
                List.of(
                    seen("k-unknown", "198.51.100.9:1", T, T),
                    seen("k2", "198.51.100.2:40002", T - TIMINGS.maxAge().toSeconds() - 1, T - 3),
                    seen("k3", "evil.example.com:51820", T, T))),
            "n2",
            new DeviceStatus("h", "k2", 51820, List.of(seen("k1", null, null, T - 3))),
            "n3",
            new DeviceStatus("h", "k3", 51820, List.of(seen("k1", null, null, T - 3))));
    assertThat(believed(statuses)).isEmpty();
  }

  @Test
  void endpointsAreIpLiteralsWithAPort() {
    assertThat(Sightings.isIpEndpoint("192.0.2.1:51820")).isTrue();
    assertThat(Sightings.isIpEndpoint("[2001:db8::1]:51820")).isTrue();
    assertThat(Sightings.isIpEndpoint("2001:db8::1:51820")).isFalse();
    assertThat(Sightings.isIpEndpoint("192.0.2.1:0")).isFalse();
    assertThat(Sightings.isIpEndpoint("192.0.2.1:65536")).isFalse();
    assertThat(Sightings.isIpEndpoint("[192.0.2.1]:1")).isFalse();
    assertThat(Sightings.isIpEndpoint("999.0.2.1:1")).isFalse();
    assertThat(Sightings.isIpEndpoint("localhost:1")).isFalse();
    assertThat(Sightings.isIpEndpoint(null)).isFalse();
  }
}
