package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.Sh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * kubectl and the kubectl wiremesh plugin on the local mesh, as a user runs them: kubectl finds the
 * plugin on the PATH (cli/bin), talks to the embedded API server with the kubeconfig it wrote; the
 * API server refuses invalid resources as a real one does; a plan is what the operator then does.
 * Needs root (network namespaces) and kubectl.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlPluginIT implements KeyScanned {

  static final ObjectMapper JSON = new ObjectMapper();
  static LocalMesh mesh;
  static KeyScan keyScan;
  static Path home;
  static Path work;

  @BeforeAll
  static void start() throws Exception {
    home = Path.of("..").toAbsolutePath().normalize();
    work = Files.createTempDirectory("wiremesh-plugin-it");
    mesh =
        LocalMesh.start(
            new LocalMesh.Options(
                home,
                work.resolve("state"),
                3,
                "wmk",
                "172.30.97",
                0,
                Duration.ofSeconds(5),
                true));
    keyScan = KeyScan.watch(mesh);
    mesh.awaitUp(Duration.ofMinutes(3));
  }

  @AfterAll
  static void stop() {
    KeyScan.close(keyScan, mesh);
  }

  @Override
  public KeyScan keyScan() {
    return keyScan;
  }

  /** The picture of the mesh; kept in e2e/target for docs/ (README shows it). */
  @Test
  @Order(1)
  void graphAndStatusOfTheRunningMesh() throws Exception {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Run status = kubectl("wiremesh", "status");
              assertThat(status.exit()).as(status.err()).isZero();
              assertThat(status.out())
                  .contains("MESH mesh: 3 nodes, 1 external peer, 3 of 4 tunnels with a handshake")
                  .contains("laptop-alice <-> mesh-node-1   never");
            });
    Run svg = kubectl("wiremesh", "graph", "-o", "svg");
    assertThat(svg.exit()).as(svg.err()).isZero();
    var f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    var doc =
        f.newDocumentBuilder()
            .parse(new java.io.ByteArrayInputStream(svg.out().getBytes(StandardCharsets.UTF_8)));
    String text = doc.getDocumentElement().getTextContent();
    assertThat(text).contains("mesh-node-1", "mesh-node-2", "mesh-node-3", "laptop-alice");
    Files.writeString(home.resolve("e2e/target/local-mesh-graph.svg"), svg.out());
    Run png = kubectl("wiremesh", "graph", "mesh", "-o", "png");
    assertThat(png.exit()).as(png.err()).isZero();
    Files.write(home.resolve("e2e/target/local-mesh-graph.png"), png.bytes());
  }

  @Test
  @Order(2)
  void kubectlApplyOfInvalidResourcesFailsWithTheFieldNamedAndNothingIsCreated() throws Exception {
    record Case(String rule, String kind, String name, String yaml, String cause) {}
    List<Case> cases =
        List.of(
            new Case(
                "schema type",
                "WireGuardMesh",
                "typo-mesh",
                """
                apiVersion: wiremesh.dev/v1alpha1
                kind: WireGuardMesh
                metadata: {name: typo-mesh}
                spec: {addressPools: [10.200.0.0/16], listenPort: "51820"}
                """,
                "spec.listenPort: Invalid value: \"string\": spec.listenPort in body must be of"
                    + " type integer: \"string\""),
            new Case(
                "pattern",
                "WireGuardPeer",
                "laptop-carol",
                """
                apiVersion: wiremesh.dev/v1alpha1
                kind: WireGuardPeer
                metadata: {name: laptop-carol}
                spec: {mesh: mesh, publicKey: not-a-key}
                """,
                "spec.publicKey: Invalid value: \"not-a-key\": spec.publicKey in body should"
                    + " match '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$'"),
            new Case(
                "CEL rule",
                "WireGuardPeer",
                "laptop-dave",
                """
                apiVersion: wiremesh.dev/v1alpha1
                kind: WireGuardPeer
                metadata: {name: laptop-dave}
                spec: {mesh: mesh, node: node-1, publicKey: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=}
                """,
                "spec: Invalid value: \"object\": exactly one of node (a cluster node, written by"
                    + " the operator) or publicKey (an external peer) must be set"));
    for (Case c : cases) {
      Path file = Files.writeString(work.resolve(c.name() + ".yaml"), c.yaml());
      Run r = kubectl("apply", "-f", file.toString());
      assertThat(r.exit()).as(c.rule() + ": " + r.out() + r.err()).isNotZero();
      assertThat(r.err())
          .as(c.rule())
          .contains("The " + c.kind() + " \"" + c.name() + "\" is invalid: " + c.cause());
      assertThat(
              c.kind().equals("WireGuardMesh")
                  ? mesh.client().resources(WireGuardMesh.class).withName(c.name()).get()
                  : mesh.client().resources(WireGuardPeer.class).withName(c.name()).get())
          .as(c.rule() + ": nothing is created")
          .isNull();
    }

    // A patch that would make a stored resource invalid is refused, and the resource stays as it
    // was.
    Run patch =
        kubectl(
            "patch",
            "wgp",
            "laptop-alice",
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"endpoint\":\"nohost\"}}");
    assertThat(patch.exit()).isNotZero();
    assertThat(patch.err()).contains("spec.endpoint: Invalid value: \"nohost\"");
    assertThat(
            mesh.client()
                .resources(WireGuardPeer.class)
                .withName("laptop-alice")
                .get()
                .getSpec()
                .getEndpoint())
        .isNull();
  }

  @Test
  @Order(3)
  void aPlanOfANewExternalPeerIsWhatTheOperatorThenDoes() throws Exception {
    String publicKey = Sh.run("sh", "-c", "wg genkey | wg pubkey").strip();
    Path file = AppliedConfigs.externalPeerFile(work, publicKey);
    Map<String, String> before = appliedHashes();

    Run text = kubectl("wiremesh", "plan", "-f", file.toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out()).contains("+ peer laptop-bob [");
    Files.writeString(home.resolve("e2e/target/local-mesh-plan.txt"), text.out());
    Run run = kubectl("wiremesh", "plan", "-f", file.toString(), "-o", "json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode plan = JSON.readTree(run.out());
    assertThat(plan.path("changes").get(0).asText()).isEqualTo("WireGuardPeer laptop-bob: created");
    JsonNode m = plan.path("meshes").get(0);
    Map<String, String> planned = new TreeMap<>();
    Set<String> changing = new TreeSet<>();
    Set<String> gainBob = new TreeSet<>();
    Set<String> otherwiseChanged = new TreeSet<>();
    for (JsonNode n : m.path("nodes")) {
      String node = n.path("node").asText();
      assertThat(n.path("hashBefore").asText())
          .as("the plugin plans from what %s's agent holds", node)
          .isEqualTo(before.get(node));
      assertThat(n.path("hashAfter").asText()).as(node).isNotEqualTo(before.get(node));
      changing.add(node);
      planned.put(node, n.path("hashAfter").asText());
      for (JsonNode p : n.path("peers")) {
        if (p.path("sign").asText().equals("+") && p.path("publicKey").asText().equals(publicKey)) {
          gainBob.add(node);
        } else {
          otherwiseChanged.add(
              node + " " + p.path("sign").asText() + " " + p.path("name").asText());
        }
      }
    }
    Set<String> unchanged = new TreeSet<>();
    for (JsonNode u : m.path("unchanged")) {
      unchanged.add(u.asText());
      planned.put(u.asText(), before.get(u.asText()));
    }
    Set<String> gateways = new TreeSet<>();
    mesh.client().nodes().list().getItems().stream()
        .filter(n -> "true".equals(n.getMetadata().getLabels().get("wiremesh.dev/gateway")))
        .forEach(n -> gateways.add(n.getMetadata().getName()));
    Set<String> others = new TreeSet<>(before.keySet());
    others.removeAll(gateways);
    assertThat(others).as("the local mesh has nodes that are not gateways").isNotEmpty();
    // laptop-bob's addresses come from the external peer pools, which every other node already
    // routes to the gateway: exactly the gateways change, by gaining the peer, and nothing else.
    assertThat(changing).as("the nodes the plan lists as changing").isEqualTo(gateways);
    assertThat(gainBob).as("the new peer goes exactly to the gateways").isEqualTo(gateways);
    assertThat(otherwiseChanged).as("no other peer entry changes anywhere").isEmpty();
    assertThat(unchanged).as("no change on every other node").isEqualTo(others);
    String address = m.path("allocations").path("laptop-bob").asText();
    assertThat(address)
        .as("laptop-bob's addresses, from the default pools (the last /24 and /112)")
        .matches("10\\.100\\.255\\.\\d+, fd00:100::ffff:ffff:ffff:[0-9a-f]+");
    assertThat(mesh.client().resources(WireGuardPeer.class).withName("laptop-bob").get())
        .as("plan applies nothing")
        .isNull();

    Run apply = kubectl("apply", "-f", file.toString());
    assertThat(apply.exit()).as(apply.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(appliedHashes())
                    .as("each agent holds the planned configuration")
                    .isEqualTo(planned));
    assertThat(
            mesh.client()
                .resources(WireGuardPeer.class)
                .withName("laptop-bob")
                .get()
                .getStatus()
                .getAddress())
        .isEqualTo(address.replace(", ", ","));
  }

  static Map<String, String> appliedHashes() throws IOException {
    return AppliedConfigs.hashes(mesh);
  }

  record Run(int exit, String out, byte[] bytes, String err) {}

  /** kubectl with the local mesh's kubeconfig and cli/bin first on the PATH, as a user has it. */
  static Run kubectl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kubectl"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KUBECONFIG", mesh.kubeconfig().toString());
    pb.environment()
        .put(
            "PATH",
            home.resolve("cli/bin") + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.redirectError(work.resolve("stderr").toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kubectl " + String.join(" ", args) + " timed out");
    }
    return new Run(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        out,
        Files.readString(work.resolve("stderr")));
  }
}
