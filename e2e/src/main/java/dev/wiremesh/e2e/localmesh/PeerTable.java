package dev.wiremesh.e2e.localmesh;

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
    List<CustomResourceColumnDefinition> columns =
        crd.getSpec().getVersions().getFirst().getAdditionalPrinterColumns().stream()
            .filter(c -> c.getPriority() == null || c.getPriority() == 0)
            .toList();
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
