package dev.wiremesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.RouteConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two real agents, each in its own network namespace (a "node"), joined by a veth pair and
 * configured only through their APIs over mutual TLS, as the operator configures them. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoAgentsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TAG = Long.toHexString(System.nanoTime() & 0xfffff);
  static final String NS_A = "wmaa" + TAG;
  static final String NS_B = "wmab" + TAG;
  static final String IF_A = "wmA" + TAG;
  static final String IF_B = "wmB" + TAG;
  static TestPki pki;
  static HttpClient operator;
  static AgentProcess a;
  static AgentProcess b;
  static String keyA;
  static String keyB;
  static Path home;

  static String sh(String... cmd) throws Exception {
    return Commands.sh(cmd);
  }

  static boolean ping(String ns, String ip) throws Exception {
    return Commands.ping(ns, ip);
  }

  @BeforeAll
  static void nodes() throws Exception {
    home = Files.createTempDirectory("wiremesh-agents");
    pki = new TestPki("wiremesh-it-ca");
    operator = pki.client(pki, true);
    for (String ns : new String[] {NS_A, NS_B}) {
      sh("ip", "netns", "add", ns);
      sh("ip", "-n", ns, "link", "set", "lo", "up");
    }
    // The node network (WireGuard's underlay) between the two nodes.
    sh(
        "ip",
        "link",
        "add",
        "ua" + TAG,
        "netns",
        NS_A,
        "type",
        "veth",
        "peer",
        "name",
        "ub" + TAG,
        "netns",
        NS_B);
    sh("ip", "-n", NS_A, "addr", "add", "192.0.2.1/24", "dev", "ua" + TAG);
    sh("ip", "-n", NS_B, "addr", "add", "192.0.2.2/24", "dev", "ub" + TAG);
    sh("ip", "-n", NS_A, "link", "set", "ua" + TAG, "up");
    sh("ip", "-n", NS_B, "link", "set", "ub" + TAG, "up");
    // Control links from the test (the "operator") to each node.
    a = agent(NS_A, "ca" + TAG, "10.251.1.");
    b = agent(NS_B, "cb" + TAG, "10.251.2.");
    keyA = identity(a).get("publicKey").asText();
    keyB = identity(b).get("publicKey").asText();
  }

  static AgentProcess agent(String ns, String link, String net) throws Exception {
    sh("ip", "link", "add", link, "type", "veth", "peer", "name", link + "n", "netns", ns);
    sh("ip", "addr", "add", net + "1/30", "dev", link);
    sh("ip", "link", "set", link, "up");
    sh("ip", "-n", ns, "addr", "add", net + "2/30", "dev", link + "n");
    sh("ip", "-n", ns, "link", "set", link + "n", "up");
    Path dir = home.resolve(ns);
    pki.writeServerFiles(dir.resolve("tls"), net + "2");
    AgentProcess p = new AgentProcess(ns, net + "2", dir);
    long ms = p.start(false);
    System.out.printf("agent in %s live after %d ms, RSS %d kB%n", ns, ms, p.rssKb());
    return p;
  }

  @AfterAll
  static void cleanUp() throws Exception {
    for (AgentProcess p : new AgentProcess[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
    for (String ns : new String[] {NS_A, NS_B}) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
    }
    for (String l : new String[] {"ca" + TAG, "cb" + TAG}) {
      new ProcessBuilder("ip", "link", "del", l).start().waitFor();
    }
    deleteTree(home); // holds the test nodes' private keys
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static HttpResponse<String> call(AgentProcess p, String method, String path, Object body)
      throws Exception {
    var req =
        HttpRequest.newBuilder(URI.create("https://" + p.controlIp + ":9443" + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    return operator.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode identity(AgentProcess p) throws Exception {
    var r = call(p, "GET", "/v1/identity", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static DeviceConfig configA(List<String> extraAllowedForB, PeerConfig... more) {
    var peers = new java.util.ArrayList<PeerConfig>();
    var allowed = new java.util.ArrayList<>(List.of("10.100.0.2/32"));
    allowed.addAll(extraAllowedForB);
    peers.add(new PeerConfig(keyB, null, "192.0.2.2:51820", allowed, 0));
    peers.addAll(List.of(more));
    return new DeviceConfig(null, IF_A, List.of("10.100.0.1/24"), 51820, 1420, peers).withHash();
  }

  static DeviceConfig configB() {
    return new DeviceConfig(
            null,
            IF_B,
            List.of("10.100.0.2/24"),
            51820,
            1420,
            List.of(new PeerConfig(keyA, null, "192.0.2.1:51820", List.of("10.100.0.1/32"), 0)))
        .withHash();
  }

  static String handshakeOf(String ns, String ifname, String peer) throws Exception {
    for (String line :
        sh("ip", "netns", "exec", ns, "wg", "show", ifname, "latest-handshakes").split("\n")) {
      if (line.startsWith(peer)) {
        return line.split("\t")[1].strip();
      }
    }
    return null;
  }

  @Test
  @Order(1)
  void twoAgentsConfiguredOnlyThroughTheirApisCarryTraffic() throws Exception {
    assertThat(call(a, "PUT", "/v1/config", configA(List.of())).statusCode()).isEqualTo(200);
    assertThat(call(b, "PUT", "/v1/config", configB()).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).until(() -> ping(NS_A, "10.100.0.2"));
    assertThat(ping(NS_B, "10.100.0.1")).isTrue();
    JsonNode status = JSON.readTree(call(a, "GET", "/v1/status", null).body());
    assertThat(status.get("peers").get(0).get("lastHandshake").asLong()).isPositive();
    assertThat(sh("ip", "netns", "exec", NS_A, "wg", "show", IF_A)).contains("peer: " + keyB);
  }

  @Test
  @Order(2)
  void addingAThirdPeerLeavesTheExistingSessionUntouched() throws Exception {
    assertThat(ping(NS_A, "10.100.0.2")).isTrue();
    String before = handshakeOf(NS_A, IF_A, keyB);
    DeviceConfig base = configA(List.of());
    PeerConfig third =
        new PeerConfig(
            "5rHg0b1VJ6zjdSHmIEDgpPBT+DRuLtK8E+4a3cPEHV0=",
            null,
            "192.0.2.9:51820",
            List.of("10.100.0.9/32"),
            0);
    DeviceConfig next = configA(List.of(), third);
    var r =
        call(
            a,
            "PATCH",
            "/v1/config",
            new ConfigDelta(base.hash(), next.hash(), List.of(third), List.of()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(ping(NS_A, "10.100.0.2")).isTrue();
    assertThat(handshakeOf(NS_A, IF_A, keyB))
        .as("same session: no new handshake")
        .isEqualTo(before);
    assertThat(sh("ip", "netns", "exec", NS_A, "wg", "show", IF_A, "peers"))
        .contains(third.publicKey());
  }

  @Test
  @Order(3)
  void routesAppearAndDisappearWithAllowedIpsAndOthersRoutesStay() throws Exception {
    String held =
        JSON.readTree(call(a, "GET", "/v1/status", null).body()).get("appliedHash").asText();
    sh("ip", "-n", NS_A, "route", "add", "10.201.0.0/24", "dev", IF_A, "proto", "static");
    DeviceConfig wider = configA(List.of("10.200.0.0/24"));
    assertThat(call(a, "PUT", "/v1/config", wider).statusCode()).isEqualTo(200);
    assertThat(sh("ip", "-n", NS_A, "route", "show", "proto", "87"))
        .contains("10.200.0.0/24")
        .contains("10.100.0.2");
    DeviceConfig narrow = configA(List.of());
    assertThat(call(a, "PUT", "/v1/config", narrow).statusCode()).isEqualTo(200);
    assertThat(sh("ip", "-n", NS_A, "route", "show", "proto", "87"))
        .doesNotContain("10.200.0.0/24");
    assertThat(sh("ip", "-n", NS_A, "route", "show"))
        .as("a route the agent did not create stays")
        .contains("10.201.0.0/24");
    var stale =
        call(a, "PATCH", "/v1/config", new ConfigDelta(held, narrow.hash(), List.of(), List.of()));
    assertThat(stale.statusCode()).as("PATCH on a stale base hash").isEqualTo(409);
  }

  @Test
  @Order(4)
  void aKilledAgentRestoresItsConfigFromDiskAndTrafficResumesWithinTwoSecondsOfReadiness()
      throws Exception {
    String applied =
        JSON.readTree(call(a, "GET", "/v1/status", null).body()).get("appliedHash").asText();
    a.kill();
    await().atMost(Duration.ofSeconds(10)).until(() -> !ping(NS_B, "10.100.0.1"));
    long readyMs = a.start(true);
    long ready = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> ping(NS_A, "10.100.0.2"));
    long resumedMs = (System.nanoTime() - ready) / 1_000_000;
    System.out.printf(
        "agent restart: ready after %d ms, traffic %d ms after readiness, RSS %d kB%n",
        readyMs, resumedMs, a.rssKb());
    assertThat(JSON.readTree(call(a, "GET", "/v1/status", null).body()).get("appliedHash").asText())
        .as("the restored config is the one applied before")
        .isEqualTo(applied);
  }

  static String sysctl(String ns, String name) throws Exception {
    return sh("ip", "netns", "exec", ns, "cat", "/proc/sys/net/" + name).strip();
  }

  @Test
  @Order(5)
  void aLeaderRestartedAfterLeadingTurnsOffTheForwardingItTurnedOnAndOnlyThat() throws Exception {
    // B's node forwards IPv6 by its own setting; A's does not (a new namespace's default).
    sh("ip", "netns", "exec", NS_B, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    assertThat(sysctl(NS_A, "ipv6/conf/all/forwarding")).isEqualTo("0");
    String underlay = "ua" + TAG;
    RouteConfig direct = new RouteConfig("10.202.0.0/24", "192.0.2.2", "10.100.0.1");
    assertThat(
            call(
                    a,
                    "PUT",
                    "/v1/config",
                    configA(List.of()).withLocation(true, List.of(direct)).withHash())
                .statusCode())
        .isEqualTo(200);
    assertThat(
            call(b, "PUT", "/v1/config", configB().withLocation(true, List.of()).withHash())
                .statusCode())
        .isEqualTo(200);
    assertThat(sysctl(NS_A, "ipv4/conf/" + IF_A + "/forwarding")).isEqualTo("1");
    assertThat(sysctl(NS_A, "ipv4/conf/" + underlay + "/forwarding"))
        .as("the interface the Direct route leaves by")
        .isEqualTo("1");
    assertThat(sysctl(NS_A, "ipv6/conf/all/forwarding")).isEqualTo("1");

    // A's agent is killed and restarted while leading: it restores the leader's config, then the
    // node stops leading.
    a.kill();
    a.start(true);
    assertThat(sysctl(NS_A, "ipv4/conf/" + IF_A + "/forwarding"))
        .as("the restored config leads")
        .isEqualTo("1");
    // The operator retries until the restarted agent's API answers; so does this test.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> call(a, "PUT", "/v1/config", configA(List.of())).statusCode() == 200);
    assertThat(call(b, "PUT", "/v1/config", configB()).statusCode()).isEqualTo(200);
    assertThat(sysctl(NS_A, "ipv4/conf/" + IF_A + "/forwarding")).isEqualTo("0");
    assertThat(sysctl(NS_A, "ipv4/conf/" + underlay + "/forwarding")).isEqualTo("0");
    assertThat(sysctl(NS_A, "ipv6/conf/all/forwarding"))
        .as("turned on by the agent's previous run: turned off")
        .isEqualTo("0");
    assertThat(sh("ip", "-n", NS_A, "route", "show", "proto", "87")).doesNotContain("10.202.0.0");
    assertThat(sysctl(NS_B, "ipv6/conf/all/forwarding"))
        .as("the node's own setting: left on")
        .isEqualTo("1");
    await().atMost(Duration.ofSeconds(15)).until(() -> ping(NS_A, "10.100.0.2"));
  }
}
