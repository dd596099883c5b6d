package dev.wiremesh.e2e.localmesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a user of {@code wiremesh-local} sees when they get an argument wrong. */
class LocalMeshCommandTest {

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int exit =
        LocalMeshCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void noCommandPrintsTheUsageAndFails() {
    Run r = run();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("usage: wiremesh-local up", "--nodes N");
  }

  @Test
  void helpPrintsTheUsage() {
    Run r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("wiremesh-local down");
  }

  @Test
  void wrongArgumentsNameTheArgumentAndWhatIsValid() {
    assertThat(run("start").err()).contains("unknown command 'start': use up, down or wg");
    assertThat(run("up", "--nodes", "many").err())
        .contains("--nodes must be a whole number, not 'many'");
    assertThat(run("up", "--nodes", "0").err()).contains("nodes must be 1-50: 0");
    assertThat(run("up", "--nodes").err()).contains("--nodes needs a value");
    assertThat(run("up", "--api-port", "70000").err()).contains("api port must be 0-65535");
    assertThat(run("up", "--resync", "0").err()).contains("resync must be positive");
    assertThat(run("up", "--colour").err()).contains("unknown option '--colour'");
    assertThat(run("down", "--nodes", "3").err()).contains("--nodes applies to `up` only");
    assertThat(run("up", "--nodes", "0").exit()).isEqualTo(2);
    assertThat(run("wg", "nodeX").err()).contains("wg needs a node name such as node-1");
  }

  @Test
  void optionsAreTaken() {
    var d = LocalMesh.Options.defaults(java.nio.file.Path.of("/repo"));
    var o =
        LocalMeshCommand.parse(
            "up",
            new java.util.ArrayDeque<>(
                java.util.List.of(
                    "--nodes", "5", "--state-dir", "/tmp/x", "--resync", "7", "--no-examples")),
            d);
    assertThat(o.nodes()).isEqualTo(5);
    assertThat(o.stateDir()).hasToString("/tmp/x");
    assertThat(o.resync()).isEqualTo(Duration.ofSeconds(7));
    assertThat(o.examples()).isFalse();
    assertThat(o.prefix()).isEqualTo(d.prefix());
  }

  @Test
  void locationsAreTakenAndWrongOnesRefused() {
    var d = LocalMesh.Options.defaults(java.nio.file.Path.of("/repo"));
    var o =
        LocalMeshCommand.parse(
            "up",
            new java.util.ArrayDeque<>(
                java.util.List.of(
                    "--nodes", "4", "--locations", "2", "--intra-location", "Direct")),
            d);
    assertThat(o.locations()).isEqualTo(2);
    assertThat(o.intraLocation()).isEqualTo("Direct");
    assertThat(d.locations()).as("a full mesh by default").isZero();
    assertThat(run("up", "--locations", "4").err())
        .contains("locations must be 0 (a full mesh) to the number of nodes (3): 4");
    assertThat(run("up", "--locations", "2", "--intra-location", "Plain").err())
        .contains("intra-location must be Encrypted or Direct: Plain");
    assertThat(run("up", "--intra-location", "Direct").err())
        .contains("intra-location needs locations (--locations N)");
    assertThat(run("up", "--locations", "2", "--no-examples").err()).contains("drop --no-examples");
    assertThat(run("down", "--locations", "2").err()).contains("--locations applies to `up` only");
  }

  @Test
  void natIsTakenAndWrongOnesRefusedNamingTheOption() {
    var d = LocalMesh.Options.defaults(java.nio.file.Path.of("/repo"));
    var o =
        LocalMeshCommand.parse(
            "up",
            new java.util.ArrayDeque<>(
                java.util.List.of(
                    "--nodes", "4", "--nat", "node-2,node-3:symmetric", "--nat", "node-4")),
            d);
    assertThat(o.nat())
        .containsExactly(
            java.util.Map.entry("node-2", NatKind.ENDPOINT_INDEPENDENT),
            java.util.Map.entry("node-3", NatKind.SYMMETRIC),
            java.util.Map.entry("node-4", NatKind.ENDPOINT_INDEPENDENT));
    assertThat(d.nat()).as("no NAT by default").isEmpty();
    var endpointIndependent =
        LocalMeshCommand.parse(
            "up",
            new java.util.ArrayDeque<>(java.util.List.of("--nat", "node-3:endpoint-independent")),
            d);
    assertThat(endpointIndependent.nat()).containsEntry("node-3", NatKind.ENDPOINT_INDEPENDENT);

    Run unknownNode = run("up", "--nat", "node-4");
    assertThat(unknownNode.exit()).isEqualTo(2);
    assertThat(unknownNode.err())
        .contains("--nat: 'node-4' is not a node of this mesh; NAT node-2 to node-3 (--nodes 3)");
    assertThat(run("up", "--nat", "n2").err()).contains("--nat: 'n2' is not a node of this mesh");
    assertThat(run("up", "--nodes", "1", "--nat", "node-2").err())
        .contains("a mesh of 1 node has none to NAT (node-1 cannot be)");
    assertThat(run("up", "--nat", "node-1").err())
        .contains("--nat: node-1 cannot be behind a NAT: it is the gateway")
        .contains("NAT node-2 to node-3");
    assertThat(run("up", "--nat", "node-3:cone").err())
        .contains("--nat: unknown NAT kind 'cone': use endpoint-independent or symmetric");
    assertThat(run("up", "--nat", "node-2,node-2:symmetric").err())
        .contains("--nat: node-2 is named twice");
    assertThat(run("up", "--nat", "node-2,").err())
        .contains("--nat: '' is not NODE or NODE:KIND (e.g. --nat node-2,node-3:symmetric)");
    assertThat(run("up", "--nat", "node-2:symmetric:x").err())
        .contains("--nat: 'node-2:symmetric:x' is not NODE or NODE:KIND");
    assertThat(run("up", "--nat").err()).contains("--nat needs a value");
    assertThat(run("down", "--nat", "node-2").err()).contains("--nat applies to `up` only");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> d.withNat(java.util.Map.of("node-1", NatKind.SYMMETRIC)))
        .hasMessageContaining("node-1 cannot be behind a NAT");
  }

  @Test
  void networkNamesFitInterfaceNames() {
    assertThat(new Network("wml", "172.29.0").namespace(3)).isEqualTo("wml-n3");
    assertThat(NatNamespace.namespace("wml", 3)).isEqualTo("wml-nat3");
    assertThat(new Network("wml", "172.29.0").address(3)).isEqualTo("172.29.0.13");
    assertThat(new Network("wml", "172.29.0").address(200)).isEqualTo("172.29.0.200");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Network("toolongname", "10.0.0"))
        .hasMessageContaining("prefix must be 1-6");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Network("wml", "10.0.0.0/24"))
        .hasMessageContaining("subnet must be the first three octets");
  }

  @Test
  void withoutABuildItSaysWhatToBuildAndCreatesNothing(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path home) throws Exception {
    var options =
        new LocalMesh.Options(
            home, home.resolve("state"), 1, "wmz", "172.30.98", 0, Duration.ofSeconds(5), false);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalMesh.start(options))
        .hasMessageContaining("operator/target/quarkus-app/quarkus-run.jar does not exist")
        .hasMessageContaining("./mvnw -B package -DskipTests");
    assertThat(home.resolve("state")).doesNotExist();
  }

  @Test
  void agesAreKubectls() {
    assertThat(PeerTable.age(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(PeerTable.age(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(PeerTable.age(Duration.ofMinutes(25))).isEqualTo("25m");
    assertThat(PeerTable.age(Duration.ofMinutes(303))).isEqualTo("5h3m");
    assertThat(PeerTable.age(Duration.ofHours(20))).isEqualTo("20h");
    assertThat(PeerTable.age(Duration.ofHours(76))).isEqualTo("3d4h");
    assertThat(PeerTable.age(Duration.ofDays(12))).isEqualTo("12d");
  }
}
