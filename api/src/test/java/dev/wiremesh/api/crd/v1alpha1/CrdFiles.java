package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CRDs: generated from the classes, and as checked in under crds/. */
final class CrdFiles {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path CHECKED_IN = Path.of("..", "crds");
  static final List<String> NAMES =
      List.of("wireguardmeshes.wiremesh.dev-v1.yml", "wireguardpeers.wiremesh.dev-v1.yml");

  private CrdFiles() {}

  /** Generates the CRDs into {@code dir}. */
  static void generate(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    new CRDGenerator()
        .customResourceClasses(WireGuardMesh.class, WireGuardPeer.class)
        .forCRDVersions("v1")
        .withParallelGenerationEnabled(false)
        .withPostProcessor(
            new io.fabric8.crdv2.generator.CRDPostProcessor() {
              @Override
              public io.fabric8.kubernetes.api.model.HasMetadata process(
                  io.fabric8.kubernetes.api.model.HasMetadata crd, String version) {
                return orderPrinterColumns(crd, version);
              }
            })
        .inOutputDir(dir.toFile())
        .generate();
  }

  /**
   * The generator does not keep the order of {@code @AdditionalPrinterColumn}s, and kubectl shows
   * columns in the CRD's order: put them back in the order the class declares them.
   */
  static io.fabric8.kubernetes.api.model.HasMetadata orderPrinterColumns(
      io.fabric8.kubernetes.api.model.HasMetadata crd, String version) {
    if (crd
        instanceof io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition d) {
      Class<?> type =
          d.getSpec().getNames().getKind().equals("WireGuardMesh")
              ? WireGuardMesh.class
              : WireGuardPeer.class;
      List<String> order = new ArrayList<>();
      for (var a :
          type.getAnnotationsByType(
              io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.class)) {
        order.add(a.name());
      }
      for (var v : d.getSpec().getVersions()) {
        var columns = new ArrayList<>(v.getAdditionalPrinterColumns());
        columns.sort(java.util.Comparator.comparingInt(c -> order.indexOf(c.getName())));
        v.setAdditionalPrinterColumns(columns);
      }
    }
    return crd;
  }

  static JsonNode read(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The checked-in CRD for {@code plural}, e.g. "wireguardpeers". */
  static JsonNode checkedIn(String plural) {
    return read(CHECKED_IN.resolve(plural + ".wiremesh.dev-v1.yml"));
  }

  /** The openAPIV3Schema of a CRD. */
  static JsonNode schema(JsonNode crd) {
    return crd.at("/spec/versions/0/schema/openAPIV3Schema");
  }

  /** Every YAML document of an example file. */
  static List<JsonNode> examples(String file) {
    try {
      var parser =
          YAML.getFactory().createParser(CHECKED_IN.resolve("examples").resolve(file).toFile());
      List<JsonNode> docs = new ArrayList<>();
      for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        docs.add(it.next());
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
