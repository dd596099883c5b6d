package dev.wiremesh.e2e.chart;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The chart in helm/wiremesh, rendered in-process by helm-java and parsed with Fabric8. */
final class Chart {
  /** The repository's root: the e2e module's parent (surefire passes it as wiremesh.root). */
  static final Path ROOT =
      Path.of(System.getProperty("wiremesh.root", "..")).toAbsolutePath().normalize();

  static final Path DIR = ROOT.resolve("helm/wiremesh");
  static final String RELEASE = "wiremesh";
  static final String NAMESPACE = "wiremesh-system";

  /** Strict: a key written twice in one document (which kubectl warns about) fails the parse. */
  static final YAMLMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private Chart() {}

  /** One rendered document: its YAML tree and its Fabric8 object. */
  record Doc(JsonNode tree, HasMetadata object) {
    String kind() {
      return tree.path("kind").asText();
    }

    String name() {
      return tree.path("metadata").path("name").asText();
    }
  }

  /** What {@code helm template} printed for one set of values. */
  record Rendered(List<Doc> docs) {
    List<Doc> ofKind(String kind) {
      return docs.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    /** The only document of this kind, as a Fabric8 type. */
    <T extends HasMetadata> T one(Class<T> type) {
      List<Doc> found = ofKind(type.getSimpleName());
      if (found.size() != 1) {
        throw new AssertionError(
            "expected one " + type.getSimpleName() + ", rendered " + found.size());
      }
      return type.cast(found.getFirst().object());
    }

    List<String> kinds() {
      return docs.stream().map(Doc::kind).sorted().toList();
    }
  }

  /** {@code helm template wiremesh helm/wiremesh -n wiremesh-system --set k=v ...}. */
  static Rendered template(Map<String, String> sets) {
    return template(sets, null);
  }

  /** As {@link #template(Map)}, with a values file (YAML text) as {@code -f} before the sets. */
  static Rendered template(Map<String, String> sets, String valuesYaml) {
    return template(RELEASE, NAMESPACE, sets, valuesYaml);
  }

  /** As {@link #template(Map, String)}, for another release name and namespace. */
  static Rendered template(
      String release, String namespace, Map<String, String> sets, String valuesYaml) {
    TemplateCommand cmd = new Helm(DIR).template().withName(release).withNamespace(namespace);
    if (valuesYaml != null) {
      cmd.withValuesFile(writeTemp(valuesYaml));
    }
    sets.forEach(cmd::set);
    return parse(cmd.call());
  }

  static Rendered parse(String manifests) {
    List<Doc> docs = new ArrayList<>();
    for (String text : DOCUMENT_SEPARATOR.split(manifests)) {
      JsonNode tree;
      try {
        tree = YAML.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("a rendered document is not valid YAML: " + e.getMessage(), e);
      }
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        continue;
      }
      docs.add(new Doc(tree, Serialization.unmarshal(text)));
    }
    return new Rendered(docs);
  }

  static Path writeTemp(String text) {
    try {
      Path f = Files.createTempFile("wiremesh-values", ".yaml");
      Files.writeString(f, text);
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(String relative) {
    try {
      return Files.readString(ROOT.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
