package dev.wiremesh.cli.graph;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.DefaultAttribute;
import org.jgrapht.nio.dot.DOTExporter;

/**
 * The graph in Graphviz's DOT language (JGraphT's exporter), for {@code dot -Tsvg} and friends:
 * nodes as boxes, gateways with a double border, location leaders and NAT relays with a heavy one
 * (and their role under the name), external peers as ellipses, tunnels coloured green (handshake
 * within 3 minutes), orange (older) or red (never), labelled with the handshake's age and the bytes
 * received / sent.
 */
final class DotFormat {

  private DotFormat() {}

  static String write(MeshGraph g) {
    DOTExporter<MeshGraph.Vertex, MeshGraph.Edge> dot = new DOTExporter<>(v -> quote(v.name()));
    dot.setGraphIdProvider(() -> quote(g.mesh()));
    dot.setGraphAttributeProvider(
        () -> {
          Map<String, Attribute> a = new LinkedHashMap<>();
          a.put("label", DefaultAttribute.createAttribute("WireGuardMesh " + g.mesh()));
          a.put("labelloc", DefaultAttribute.createAttribute("t"));
          a.put("layout", DefaultAttribute.createAttribute("circo"));
          return a;
        });
    dot.setVertexAttributeProvider(
        v -> {
          Map<String, Attribute> a = new LinkedHashMap<>();
          a.put(
              "label",
              DefaultAttribute.createAttribute(
                  v.name() + "\n" + v.detail() + (v.role() == null ? "" : "\n" + v.role())));
          switch (v.kind()) {
            case "gateway" -> {
              a.put("shape", DefaultAttribute.createAttribute("box"));
              a.put("peripheries", DefaultAttribute.createAttribute(2));
            }
            case "node" -> a.put("shape", DefaultAttribute.createAttribute("box"));
            default -> a.put("shape", DefaultAttribute.createAttribute("ellipse"));
          }
          if (v.forwards()) {
            a.put("penwidth", DefaultAttribute.createAttribute(3));
          }
          a.put("style", DefaultAttribute.createAttribute("rounded,filled"));
          a.put(
              "fillcolor",
              DefaultAttribute.createAttribute(
                  v.kind().equals("external") ? Picture.EXTERNAL_HEX : Picture.NODE_HEX));
          return a;
        });
    dot.setEdgeAttributeProvider(
        e -> {
          Map<String, Attribute> a = new LinkedHashMap<>();
          a.put("color", DefaultAttribute.createAttribute(e.freshness().colour()));
          a.put("label", DefaultAttribute.createAttribute(e.label()));
          return a;
        });
    StringWriter w = new StringWriter();
    dot.exportGraph(g.graph(), w);
    return w.toString();
  }

  private static String quote(String id) {
    return "\"" + id.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
