package dev.wiremesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.e2e.localmesh.JavaApp;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.e2e.localmesh.Sh;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentHttp;
import dev.wiremesh.operator.agent.AgentPusher;
import dev.wiremesh.operator.agent.Backoff;
import dev.wiremesh.operator.agent.ConfigDeltas;
import dev.wiremesh.operator.agent.PushResult;
import dev.wiremesh.operator.pki.AgentTls;
import dev.wiremesh.operator.pki.CertificateAuthority;
import dev.wiremesh.operator.pki.IssuedCertificate;
import dev.wiremesh.operator.pki.Pem;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.TopologyPlanner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's own pieces — the CA it keeps, the topology planner and the agent pusher — driving
 * two real node agents, each in its own network namespace: what the operator issues and plans is
 * what the agent accepts, and the tunnel it describes carries traffic. Needs root.
 */
class OperatorDrivesRealAgentsIT {
  static final String TAG = Long.toHexString(System.nanoTime() & 0xfffff);
  static final String[] NODES = {"node-a", "node-b"};
  static final String[] NS = {"wmea" + TAG, "wmeb" + TAG};
  static final String[] UNDERLAY = {"192.0.2.1", "192.0.2.2"};
  static final String[] CONTROL = {"10.252.1.", "10.252.2."};
  static final Path HOME = home();
  static final List<JavaApp> AGENTS = new ArrayList<>();
  static AgentHttp http;

  static Path home() {
    try {
      return Files.createTempDirectory("wiremesh-e2e");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sh(String... cmd) {
    return Sh.run(cmd);
  }

  static boolean ping(String ns, String ip) {
    return PingMatrix.ping(ns, ip, 1);
  }

  @BeforeAll
  static void cluster() throws Exception {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("wiremesh-ca", now, Duration.ofDays(30));
    IssuedCertificate server =
        ca.issue(
            CertificateAuthority.AGENT_SERVER_NAME,
            List.of(CertificateAuthority.AGENT_SERVER_NAME),
            CertificateAuthority.Usage.SERVER,
            now,
            Duration.ofDays(7));
    IssuedCertificate client =
        ca.issue(
            CertificateAuthority.OPERATOR_CLIENT_NAME,
            List.of(CertificateAuthority.OPERATOR_CLIENT_NAME),
            CertificateAuthority.Usage.CLIENT,
            now,
            Duration.ofDays(7));
    http =
        new AgentHttp(
            AgentTls.clientContext(ca.certificate(), client),
            new ObjectMapper(),
            Duration.ofSeconds(5),
            Duration.ofSeconds(20));

    for (String ns : NS) {
      sh("ip", "netns", "add", ns);
      sh("ip", "-n", ns, "link", "set", "lo", "up");
    }
    sh(
        "ip",
        "link",
        "add",
        "ea" + TAG,
        "netns",
        NS[0],
        "type",
        "veth",
        "peer",
        "name",
        "eb" + TAG,
        "netns",
        NS[1]);
    for (int i = 0; i < 2; i++) {
      String dev = (i == 0 ? "ea" : "eb") + TAG;
      sh("ip", "-n", NS[i], "addr", "add", UNDERLAY[i] + "/24", "dev", dev);
      sh("ip", "-n", NS[i], "link", "set", dev, "up");
      String link = "ec" + i + TAG;
      sh("ip", "link", "add", link, "type", "veth", "peer", "name", link + "n", "netns", NS[i]);
      sh("ip", "addr", "add", CONTROL[i] + "1/30", "dev", link);
      sh("ip", "link", "set", link, "up");
      sh("ip", "-n", NS[i], "addr", "add", CONTROL[i] + "2/30", "dev", link + "n");
      sh("ip", "-n", NS[i], "link", "set", link + "n", "up");
      // The Secret the operator keeps for the agents, as the DaemonSet mounts it.
      Path tls = HOME.resolve(NODES[i]).resolve("tls");
      Files.createDirectories(tls);
      Files.writeString(tls.resolve("ca.crt"), Pem.encode(ca.certificate()));
      Files.writeString(tls.resolve("tls.crt"), Pem.encode(server.certificate()));
      Files.writeString(tls.resolve("tls.key"), Pem.encode(server.key()));
      AGENTS.add(startAgent(i));
    }
    for (int i = 0; i < 2; i++) {
      String url = "http://" + CONTROL[i] + "2:9090/q/health/live";
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  HttpClient.newHttpClient()
                          .send(
                              HttpRequest.newBuilder(URI.create(url)).build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode()
                      == 200);
    }
  }

  /** An agent as the local mesh runs one: its own UAPI folder, the mounted TLS files. */
  static JavaApp startAgent(int i) throws Exception {
    Path dir = HOME.resolve(NODES[i]);
    JavaApp agent =
        new JavaApp(
            "agent " + NODES[i],
            Path.of("..", "node-agent", "target", "quarkus-app", "quarkus-run.jar")
                .toAbsolutePath()
                .normalize(),
            Map.of(
                "WIREMESH_TLS_DIR", dir.resolve("tls").toString(),
                "WIREMESH_AGENT_STATE_DIR", dir.resolve("state").toString()),
            NS[i],
            dir.resolve("uapi"),
            dir.resolve("agent.log"));
    agent.start();
    return agent;
  }

  @AfterAll
  static void tearDown() throws Exception {
    AGENTS.forEach(JavaApp::kill);
    for (String ns : NS) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
    }
    for (int i = 0; i < 2; i++) {
      new ProcessBuilder("ip", "link", "del", "ec" + i + TAG).start().waitFor();
    }
    try (var paths = Files.walk(HOME)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static Agent agent(int i) {
    return new Agent(NODES[i], URI.create("https://" + CONTROL[i] + "2:9443"));
  }

  static Map<Agent, DeviceConfig> plan(List<ExternalMember> externals) throws Exception {
    List<NodeMember> nodes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Identity id = http.get(agent(i), "/v1/identity", Identity.class);
      nodes.add(
          new NodeMember(
              NODES[i],
              id.publicKey(),
              UNDERLAY[i] + ":" + id.listenPort(),
              List.of("10.100.0." + (i + 1)),
              List.of(),
              true));
    }
    MeshSettings mesh =
        new MeshSettings("wme" + TAG, 51820, 1420, 0, false, List.of("10.100.0.0/24"));
    Map<String, PlannedDevice> planned = TopologyPlanner.plan(mesh, nodes, externals);
    Map<Agent, DeviceConfig> desired = new LinkedHashMap<>();
    for (int i = 0; i < 2; i++) {
      PlannedDevice d = planned.get(NODES[i]);
      List<PeerConfig> peers =
          d.peers().stream()
              .map(
                  p ->
                      new PeerConfig(
                          p.publicKey(),
                          p.presharedKey(),
                          p.endpoint(),
                          p.allowedIPs(),
                          p.persistentKeepalive()))
              .toList();
      desired.put(
          agent(i),
          new DeviceConfig(null, d.interfaceName(), d.addresses(), d.listenPort(), d.mtu(), peers)
              .withHash());
    }
    return desired;
  }

  static AgentPusher<DeviceConfig> pusher() {
    return new AgentPusher<>(
        http,
        4,
        Backoff.DEFAULT,
        Backoff.Sleeper.REAL,
        DeviceConfig::hash,
        ConfigDeltas::between,
        a -> http.get(a, "/v1/status", DeviceStatus.class).appliedHash());
  }

  @Test
  void whatTheOperatorPlansAndPushesTheRealAgentsApplyAndTheTunnelCarriesTraffic()
      throws Exception {
    try (AgentPusher<DeviceConfig> pusher = pusher()) {
      Map<Agent, DeviceConfig> desired = plan(List.of());
      Map<String, PushResult> first = pusher.pushAll(desired);
      assertThat(first.values())
          .allSatisfy(r -> assertThat(r).isInstanceOf(PushResult.Applied.class));
      await().atMost(Duration.ofSeconds(15)).until(() -> ping(NS[0], "10.100.0.2"));
      assertThat(ping(NS[1], "10.100.0.1")).isTrue();
      for (int i = 0; i < 2; i++) {
        assertThat(http.get(agent(i), "/v1/status", DeviceStatus.class).appliedHash())
            .as("the agent computed the same hash as the operator")
            .isEqualTo(desired.get(agent(i)).hash());
      }

      long before = http.bytesSent();
      Map<String, PushResult> again = pusher.pushAll(plan(List.of()));
      assertThat(again.values())
          .allSatisfy(r -> assertThat(r).isInstanceOf(PushResult.Unchanged.class));
      assertThat(http.bytesSent()).as("nothing pushed when nothing changed").isEqualTo(before);

      // An external peer joins: the gateways get it as a delta on the hash they hold.
      ExternalMember laptop =
          new ExternalMember(
              "laptop",
              "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
              null,
              List.of("10.100.0.50"),
              List.of("192.168.50.0/24"),
              25,
              null);
      Map<String, PushResult> delta = pusher.pushAll(plan(List.of(laptop)));
      assertThat(delta.values())
          .allSatisfy(
              r ->
                  assertThat(r)
                      .isInstanceOfSatisfying(
                          PushResult.Applied.class, a -> assertThat(a.delta()).isTrue()));
      DeviceStatus a = http.get(agent(0), "/v1/status", DeviceStatus.class);
      assertThat(a.peers()).extracting(p -> p.publicKey()).contains(laptop.publicKey());
      assertThat(ping(NS[0], "10.100.0.2")).as("the existing tunnel is untouched").isTrue();
    }
  }
}
