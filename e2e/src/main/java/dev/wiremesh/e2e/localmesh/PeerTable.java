package dev.wiremesh.e2e.localmesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Renders resources the way {@code kubectl get} does for a CRD: NAME, then the CRD's printer
 * columns of priority 0 (JSONPath values, dates as ages), aligned in columns, {@code <none>} where
 * a value is missing.
 */
public final class PeerTable {

  private static final Configuration PATHS =
      Configuration.defaultConfiguration()
          .addOptions(Option.SUPPRESS_EXCEPTIONS, Option.DEFAULT_PATH_LEAF_TO_NULL);

  private PeerTable() {}

  public static String render(
      CustomResourceDefinition crd, Collection<GenericKubernetesResource> items, Instant now) {
    List<CustomResourceColumnDefinition> columns = columns(crd, false);
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>();
    header.add("NAME");
    columns.forEach(c -> header.add(c.getName().toUpperCase(java.util.Locale.ROOT)));
    rows.add(header);
    for (GenericKubernetesResource r : items) {
      String json = Serialization.asJson(r);
      List<String> row = new ArrayList<>();
      row.add(r.getMetadata().getName());
      for (CustomResourceColumnDefinition c : columns) {
        row.add(cell(json, c, now));
      }
      rows.add(row);
    }
    return align(rows);
  }

  /** The CRD's printer columns: those of priority 0, or all of them ({@code -o wide}). */
  static List<CustomResourceColumnDefinition> columns(CustomResourceDefinition crd, boolean wide) {
    List<CustomResourceColumnDefinition> all =
        crd.getSpec().getVersions().getFirst().getAdditionalPrinterColumns();
    return all == null
        ? List.of()
        : all.stream()
            .filter(c -> wide || c.getPriority() == null || c.getPriority() == 0)
            .toList();
  }

  /**
   * The same rows as a meta.k8s.io/v1 Table, the answer an API server gives kubectl when it asks
   * for server-side printing ({@code Accept: ...;as=Table}): kubectl then shows these columns.
   *
   * @param body the JSON of one resource or of a list of them
   */
  public static String table(CustomResourceDefinition crd, String body, Instant now) {
    ObjectNode root;
    try {
      root = (ObjectNode) JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    List<JsonNode> items = new ArrayList<>();
    if (root.has("items")) {
      root.get("items").forEach(items::add);
    } else {
      items.add(root);
    }
    List<CustomResourceColumnDefinition> columns = columns(crd, true);
    ObjectNode table =
        JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode meta = table.putObject("metadata");
    if (root.has("metadata") && root.get("metadata").has("resourceVersion")) {
      meta.set("resourceVersion", root.get("metadata").get("resourceVersion"));
    }
    ArrayNode defs = table.putArray("columnDefinitions");
    defs.addObject()
        .put("name", "Name")
        .put("type", "string")
        .put("format", "name")
        .put("description", "Name of the resource")
        .put("priority", 0);
    for (CustomResourceColumnDefinition c : columns) {
      defs.addObject()
          .put("name", c.getName())
          .put("type", "date".equals(c.getType()) ? "string" : c.getType())
          .put("format", c.getFormat() == null ? "" : c.getFormat())
          .put("description", c.getDescription() == null ? "" : c.getDescription())
          .put("priority", c.getPriority() == null ? 0 : c.getPriority());
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(item.path("metadata").path("name").asText());
      String json = item.toString();
      for (CustomResourceColumnDefinition c : columns) {
        cells.add(cell(json, c, now));
      }
      ObjectNode object = row.putObject("object");
      object.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
      object.set("metadata", item.path("metadata"));
    }
    return table.toString();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static String cell(String json, CustomResourceColumnDefinition c, Instant now) {
    Object v = JsonPath.using(PATHS).parse(json).read("$" + c.getJsonPath());
    if (v instanceof List<?> l) {
      v = l.isEmpty() ? null : String.join(",", l.stream().map(String::valueOf).toList());
    }
    if (v == null || v.toString().isEmpty()) {
      return "<none>";
    }
    if ("date".equals(c.getType())) {
      try {
        return age(Duration.between(Instant.parse(v.toString()), now));
      } catch (DateTimeParseException e) {
        return v.toString();
      }
    }
    return v.toString();
  }

  /** kubectl's short ages: 45s, 3m12s, 25m, 5h3m, 20h, 3d4h, 12d. */
  static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    long m = s / 60;
    long h = s / 3600;
    if (s < 120) {
      return s + "s";
    }
    if (m < 10) {
      return m + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
    if (m < 180) {
      return m + "m";
    }
    if (h < 8) {
      return h + "h" + (m % 60 == 0 ? "" : m % 60 + "m");
    }
    if (h < 48) {
      return h + "h";
    }
    if (h < 192) {
      return h / 24 + "d" + (h % 24 == 0 ? "" : h % 24 + "h");
    }
    return h / 24 + "d";
  }

  private static String align(List<List<String>> rows) {
    int[] width = new int[rows.getFirst().size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(r.get(i));
        if (i < r.size() - 1) {
          line.append(" ".repeat(width[i] - r.get(i).length() + 3));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
