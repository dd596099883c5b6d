package dev.wiremesh.api.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/**
 * The CRD YAML in crds/ must be what the classes generate. To regenerate after changing the
 * classes: {@code ./mvnw -pl api test -Dtest=CrdDriftTest -Dwiremesh.crds.write=true}.
 */
class CrdDriftTest {
  @Test
  void checkedInCrdsMatchTheClasses() throws Exception {
    Path out = Path.of("target", "generated-crds");
    CrdFiles.generate(out);
    boolean write = Boolean.getBoolean("wiremesh.crds.write");
    for (String name : CrdFiles.NAMES) {
      Path generated = out.resolve(name);
      assertThat(generated).exists();
      Path checkedIn = CrdFiles.CHECKED_IN.resolve(name);
      if (write) {
        Files.copy(generated, checkedIn, StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(checkedIn)
          .as(
              "crds/%s is missing: run ./mvnw -pl api test -Dtest=CrdDriftTest -Dwiremesh.crds.write=true",
              name)
          .exists();
      assertThat(CrdFiles.read(checkedIn))
          .as(
              "crds/%s differs from what the classes generate; regenerate with ./mvnw -pl api test"
                  + " -Dtest=CrdDriftTest -Dwiremesh.crds.write=true and commit it",
              name)
          .isEqualTo(CrdFiles.read(generated));
    }
  }

  @Test
  void crdsAreClusterScopedWithStatusAndPrinterColumns() {
    var peers = CrdFiles.checkedIn("wireguardpeers");
    assertThat(peers.at("/spec/scope").asText()).isEqualTo("Cluster");
    assertThat(peers.at("/spec/names/shortNames/0").asText()).isEqualTo("wgp");
    assertThat(peers.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    var columns = peers.at("/spec/versions/0/additionalPrinterColumns");
    assertThat(columns.findValuesAsText("name"))
        .containsExactly("MESH", "NODE", "ADDRESS", "ROLE", "ENDPOINT", "HANDSHAKE", "READY");
    assertThat(columns.get(5).get("type").asText()).isEqualTo("date");
    var mesh = CrdFiles.checkedIn("wireguardmeshes");
    assertThat(mesh.at("/spec/scope").asText()).isEqualTo("Cluster");
    assertThat(mesh.at("/spec/names/shortNames/0").asText()).isEqualTo("wgm");
    assertThat(mesh.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    assertThat(mesh.at("/spec/versions/0/additionalPrinterColumns").findValuesAsText("name"))
        .containsExactly("NODES", "READY", "ENCRYPTION", "AGE");
  }

  @Test
  void everySpecAndStatusFieldHasADescription() {
    for (String plural : new String[] {"wireguardmeshes", "wireguardpeers"}) {
      var schema = CrdFiles.schema(CrdFiles.checkedIn(plural));
      for (String part : new String[] {"spec", "status"}) {
        var props = schema.at("/properties/" + part + "/properties");
        props
            .properties()
            .forEach(
                e ->
                    assertThat(e.getValue().path("description").asText())
                        .as("%s %s.%s has a description", plural, part, e.getKey())
                        .isNotBlank());
      }
    }
  }

  @Test
  void defaultsAreInTheSchemaAsTheApiServerAppliesThem() {
    var spec =
        CrdFiles.schema(CrdFiles.checkedIn("wireguardmeshes")).at("/properties/spec/properties");
    assertThat(spec.at("/listenPort/default").asInt()).isEqualTo(51820);
    assertThat(spec.at("/mtu/default").asInt()).isZero();
    assertThat(spec.at("/interfaceName/default").asText()).isEqualTo("wm0");
    assertThat(spec.at("/persistentKeepalive/default").asInt()).isZero();
    assertThat(spec.at("/routePodCIDRs/default").asBoolean()).isFalse();
  }
}
