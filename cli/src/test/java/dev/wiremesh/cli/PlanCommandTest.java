package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest extends WithFixtureCluster {
  @TempDir Path dir;

  @Test
  void aNewExternalPeer() {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/new-peer.yaml");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    Golden.check("plan-new-peer.txt", r.out());
    assertThat(cluster.client.resources(WireGuardPeer.class).withName("laptop-bob").get())
        .as("nothing is applied")
        .isNull();
  }

  /**
   * A site's LAN is in no pool: the nodes that are not gateways reach it through the gateway, so
   * their entry for it gains the LAN (and the plan says so); the site's own addresses, from the
   * external peer pools, change nothing there.
   */
  @Test
  void aNewSiteChangesTheOtherNodesEntryForTheGatewayByItsNetworkOnly() {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/new-site.yaml");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    Golden.check("plan-new-site.txt", r.out());
  }

  @Test
  void jsonForPrograms() throws Exception {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/new-peer.yaml", "-o", "json");
    assertThat(r.status()).isZero();
    var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(j.path("changes").get(0).asText()).isEqualTo("WireGuardPeer laptop-bob: created");
    var mesh = j.path("meshes").get(0);
    assertThat(mesh.path("allocations").path("laptop-bob").asText())
        .isEqualTo("10.100.255.1, fd00:100::ffff:ffff:ffff:1");
    assertThat(mesh.path("nodes")).as("only the gateway changes").hasSize(1);
    assertThat(mesh.path("unchanged").toString()).isEqualTo("[\"node-2\",\"node-3\"]");
    var node1 = mesh.path("nodes").get(0);
    assertThat(node1.path("node").asText()).isEqualTo("node-1");
    assertThat(node1.path("hashAfter").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(node1.path("peers").get(0).path("sign").asText()).isEqualTo("+");
    assertThat(node1.path("peers").get(0).path("publicKey").asText())
        .isEqualTo("9kGrRo4esHR7/fk497dBusAy0ksE0rcX73IGHfVo6QQ=");
  }

  @Test
  void fromStandardInput() throws Exception {
    String yaml = Files.readString(Path.of("src/test/resources/changes/new-peer.yaml"));
    var r = cluster.run(false, yaml, "plan", "-f", "-");
    assertThat(r.status()).isZero();
    Golden.check("plan-new-peer.txt", r.out());
  }

  @Test
  void aMeshSettingChangesEveryNode() {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/mesh-port.yaml");
    assertThat(r.status()).isZero();
    Golden.check("plan-mesh-port.txt", r.out());
  }

  @Test
  void encryptionRequiredChangesEveryNodesPolicy() {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/mesh-encryption.yaml");
    assertThat(r.status()).isZero();
    // Every node's agent gets the must-encrypt policy: every configuration changes, no peer does.
    assertThat(r.out())
        .contains("encryption Preferred -> Required")
        .doesNotContain("no change on: node");
    Golden.check("plan-mesh-encryption.txt", r.out());
  }

  @Test
  void theSameResourcesAgainChangeNothing() throws Exception {
    Path same =
        Files.writeString(
            dir.resolve("same.yaml"),
            """
            apiVersion: wiremesh.dev/v1alpha1
            kind: WireGuardPeer
            metadata:
              name: laptop-alice
            spec:
              mesh: mesh
              publicKey: IUYHj8+z+KPa5RymT1YFuzxaKzGG4IYcT3NqKK8muUo=
              allowedIPs: [192.168.50.0/24]
              presharedKeySecretRef: {namespace: wiremesh-system, name: laptop-psk, key: presharedKey}
            """);
    var r = cluster.run("plan", "-f", same.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Changes: WireGuardPeer laptop-alice: unchanged\n\nMesh mesh:\n  no change on any node\n");
  }

  @Test
  void aNewPresharedKeyChangesTheGatewaysEntry() throws Exception {
    Path psk =
        Files.writeString(
            dir.resolve("psk.yaml"),
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: laptop-psk, namespace: wiremesh-system}
            data:
              presharedKey: %s
            """
                .formatted(
                    java.util.Base64.getEncoder()
                        .encodeToString(
                            "9Nq+Ylbm2cyIRZ6ffGWTe/bDhDmn0a6y5LCT8SpwtXc=".getBytes())));
    var r = cluster.run("plan", "-f", psk.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("Changes: Secret wiremesh-system/laptop-psk: applied")
        .contains("  node node-1 (mesh-node-1): config ")
        .contains("    ~ peer laptop-alice [IUYHj8+z…]: preshared key changed\n")
        .contains("  no change on: node-2, node-3\n")
        .doesNotContain("9Nq+Ylbm2cyIRZ6ffGWTe/bDhDmn0a6y5LCT8SpwtXc=")
        .doesNotContain("VO8w31hypkJN9ePOItIuNdo1zdlLyOAEymZOME/3vfU=");
  }

  @Test
  void invalidResourcesAreReportedAsTheApiServerWouldAndNothingIsPlanned() {
    var r = cluster.run("plan", "-f", "src/test/resources/changes/invalid.yaml");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    Golden.check("plan-invalid.txt", r.err());
  }

  @Test
  void badInput() throws Exception {
    record Case(String yaml, String error) {}
    var cases =
        new Case[] {
          new Case("a: [b", "bad.yaml: not valid YAML or JSON: "),
          new Case("", "bad.yaml: no resources in it"),
          new Case("- 1\n- 2\n", "bad.yaml document 1: not a resource"),
          new Case(
              "kind: WireGuardPeer\nmetadata: {name: x}\n",
              "bad.yaml document 1: apiVersion and kind are required"),
          new Case(
              "apiVersion: wiremesh.dev/v1alpha1\nkind: WireGuardPeer\nspec: {mesh: mesh}\n",
              "bad.yaml document 1 (WireGuardPeer): metadata.name is required"),
          new Case(
              "apiVersion: wiremesh.dev/v1alpha1\nkind: WireGuardPeer\nmetadata: {name: Bob}\n",
              "bad.yaml document 1 (WireGuardPeer): metadata.name: Invalid value: \"Bob\": a"
                  + " lowercase RFC 1123 subdomain"),
          new Case(
              "apiVersion: wiremesh.dev/v1\nkind: WireGuardPeer\nmetadata: {name: bob}\n",
              "bad.yaml document 1: WireGuardPeer has apiVersion wiremesh.dev/v1alpha1, not"
                  + " wiremesh.dev/v1"),
          new Case(
              "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
              "bad.yaml document 1: kind Deployment is not one a plan can change"),
          new Case(
              "apiVersion: v1\nkind: Secret\nmetadata: {name: psk}\n",
              "bad.yaml document 1 (Secret psk): metadata.namespace is required here"),
        };
    for (Case c : cases) {
      Path f = Files.writeString(dir.resolve("bad.yaml"), c.yaml());
      var r = cluster.run("plan", "-f", f.toString());
      assertThat(r.status()).as(c.yaml()).isEqualTo(1);
      assertThat(r.out()).as(c.yaml()).isEmpty();
      assertThat(r.err()).as(c.yaml()).startsWith("error: " + f.getParent() + "/" + c.error());
    }
  }

  @Test
  void aPeerOfAMeshThatDoesNotExist() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("elsewhere.yaml"),
            """
            apiVersion: wiremesh.dev/v1alpha1
            kind: WireGuardPeer
            metadata: {name: laptop-eve}
            spec: {mesh: other, publicKey: 9kGrRo4esHR7/fk497dBusAy0ksE0rcX73IGHfVo6QQ=}
            """);
    var r = cluster.run("plan", "-f", f.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "Changes: WireGuardPeer laptop-eve: created\n\nWireGuardMesh \"other\" does not exist:"
                + " the operator leaves its peers alone until it does.\n");
  }

  @Test
  void fileErrors() {
    var missing = cluster.run("plan", "-f", "no-such.yaml");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: the file no-such.yaml does not exist\n");
    var folder = cluster.run("plan", "-f", "src");
    assertThat(folder.err())
        .isEqualTo("error: src is a folder: give one file (or - for standard input)\n");
    var none = cluster.run("plan");
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.err())
        .isEqualTo(
            "error: Missing required option: '--filename=FILE'\n"
                + "See 'kubectl wiremesh plan --help' for usage.\n");
  }
}
