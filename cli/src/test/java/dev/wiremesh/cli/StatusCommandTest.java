package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusCommandTest extends WithFixtureCluster {
  @Test
  void aTablePerMeshPlainWhenPiped() {
    var r = cluster.run("status");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    assertThat(r.out()).doesNotContain("\u001b[");
    Golden.check("status.txt", r.out());
  }

  @Test
  void handshakeAgesColouredOnATerminal() {
    var r = cluster.run(true, "", "status", "mesh");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .as("fresh green, older orange, never red")
        .contains("\u001b[32m29s\u001b[0m")
        .contains("\u001b[33m20m\u001b[0m")
        .contains("\u001b[31mnever\u001b[0m");
  }

  @Test
  void jsonForPrograms() throws Exception {
    var r = cluster.run("status", "mesh", "-o", "json");
    assertThat(r.status()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.path("mesh").asText()).isEqualTo("mesh");
    assertThat(j.path("nodes")).hasSize(3);
    assertThat(j.path("externalPeers").path(0).path("peer").asText()).isEqualTo("laptop-alice");
    assertThat(j.path("tunnels")).hasSize(4);
    JsonNode first = j.path("tunnels").path(0);
    assertThat(first.path("a").asText() + " " + first.path("b").asText())
        .isEqualTo("laptop-alice mesh-node-1");
    assertThat(first.path("freshness").asText()).isEqualTo("NONE");
  }

  @Test
  void yaml() {
    var r = cluster.run("status", "-o", "yaml");
    assertThat(r.status()).isZero();
    Golden.check("status.yaml", r.out());
  }

  @Test
  void anUnknownMeshIsNamedWithTheMeshesThereAre() {
    var r = cluster.run("status", "nope");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("error: WireGuardMesh \"nope\" not found (meshes: mesh)\n");
  }

  @Test
  void anUnknownFormatIsAUsageError() {
    var r = cluster.run("status", "-o", "wide");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: Invalid value for option '--output'")
        .contains("table, json, yaml")
        .endsWith("See 'kubectl wiremesh status --help' for usage.\n");
  }
}
