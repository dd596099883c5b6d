package dev.wiremesh.cli.graph;

import dev.wiremesh.cli.mesh.Freshness;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.RoundRectangle2D;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jgrapht.alg.drawing.CircularLayoutAlgorithm2D;
import org.jgrapht.alg.drawing.model.Box2D;
import org.jgrapht.alg.drawing.model.MapLayoutModel2D;
import org.jgrapht.alg.drawing.model.Point2D;

/**
 * Draws a mesh graph on any Graphics2D — JFreeSVG's for SVG, a BufferedImage's for PNG — so both
 * pictures are the same drawing. A location's leader or a NAT relay has a heavy border and its role
 * under its name. Peers sit on a circle (JGraphT's circular layout): gateways first, then the other
 * nodes, then the external peers, each group by name, so a mesh always looks the same.
 */
final class Picture {

  static final String NODE_HEX = "#dbe8f7";
  static final String EXTERNAL_HEX = "#fde7c8";
  private static final Color NODE_FILL = Color.decode(NODE_HEX);
  private static final Color EXTERNAL_FILL = Color.decode(EXTERNAL_HEX);
  private static final Color INK = new Color(0x22, 0x22, 0x22);
  private static final Map<Freshness, Color> EDGE =
      Map.of(
          Freshness.FRESH, new Color(0x2e, 0x9e, 0x44),
          Freshness.STALE, new Color(0xe0, 0x8a, 0x00),
          Freshness.NONE, new Color(0xd0, 0x30, 0x30));

  private static final Font NAME = new Font(Font.SANS_SERIF, Font.BOLD, 13);
  private static final Font DETAIL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);

  private final MeshGraph graph;
  final int width;
  final int height;
  private final double radius;

  Picture(MeshGraph graph) {
    this.graph = graph;
    int n = graph.graph().vertexSet().size();
    this.radius = Math.max(200, n * 55);
    this.width = (int) (2 * radius + 420);
    this.height = (int) (2 * radius + 260);
  }

  void paint(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(INK);
    g.setFont(TITLE);
    g.drawString("WireGuardMesh " + graph.mesh(), 20, 30);

    MapLayoutModel2D<MeshGraph.Vertex> model =
        new MapLayoutModel2D<>(Box2D.of(width / 2.0 - radius, 60 + 20, 2 * radius, 2 * radius));
    new CircularLayoutAlgorithm2D<MeshGraph.Vertex, MeshGraph.Edge>(radius, ORDER)
        .layout(graph.graph(), model);

    g.setStroke(new BasicStroke(2.2f));
    for (MeshGraph.Edge e : graph.graph().edgeSet()) {
      Point2D a = model.get(e.a());
      Point2D b = model.get(e.b());
      g.setColor(EDGE.get(e.freshness()));
      g.draw(new Line2D.Double(a.getX(), a.getY(), b.getX(), b.getY()));
    }
    g.setFont(LABEL);
    for (MeshGraph.Edge e : graph.graph().edgeSet()) {
      Point2D a = model.get(e.a());
      Point2D b = model.get(e.b());
      double x = (a.getX() + b.getX()) / 2;
      double y = (a.getY() + b.getY()) / 2;
      box(g, e.label(), x, y, EDGE.get(e.freshness()));
    }
    for (MeshGraph.Vertex v : graph.graph().vertexSet()) {
      vertex(g, v, model.get(v));
    }
    legend(g);
  }

  private static final Comparator<MeshGraph.Vertex> ORDER =
      Comparator.comparingInt(
              (MeshGraph.Vertex v) -> List.of("gateway", "node", "external").indexOf(v.kind()))
          .thenComparing(MeshGraph.Vertex::name);

  private static void box(Graphics2D g, String text, double cx, double cy, Color ink) {
    FontMetrics m = g.getFontMetrics();
    double w = m.stringWidth(text) + 8;
    double h = m.getHeight() + 2;
    g.setColor(new Color(255, 255, 255, 230));
    g.fill(new RoundRectangle2D.Double(cx - w / 2, cy - h / 2, w, h, 6, 6));
    g.setColor(ink);
    g.drawString(text, (float) (cx - w / 2 + 4), (float) (cy + m.getAscent() / 2.0 - 1));
  }

  private static void vertex(Graphics2D g, MeshGraph.Vertex v, Point2D p) {
    g.setFont(NAME);
    FontMetrics nm = g.getFontMetrics();
    g.setFont(DETAIL);
    FontMetrics dm = g.getFontMetrics();
    String role = v.role() == null ? "" : v.role();
    double w =
        Math.max(
                nm.stringWidth(v.name()),
                Math.max(dm.stringWidth(v.detail()), dm.stringWidth(role)))
            + 24;
    double h = nm.getHeight() + dm.getHeight() * (role.isEmpty() ? 1 : 2) + 14;
    double x = p.getX() - w / 2;
    double y = p.getY() - h / 2;
    g.setStroke(new BasicStroke(v.forwards() ? 3.4f : 1.4f));
    if (v.kind().equals("external")) {
      var shape = new Ellipse2D.Double(x - 12, y - 4, w + 24, h + 8);
      g.setColor(EXTERNAL_FILL);
      g.fill(shape);
      g.setColor(INK);
      g.draw(shape);
    } else {
      var shape = new RoundRectangle2D.Double(x, y, w, h, 12, 12);
      g.setColor(NODE_FILL);
      g.fill(shape);
      g.setColor(INK);
      g.draw(shape);
      if (v.kind().equals("gateway")) {
        g.draw(new RoundRectangle2D.Double(x - 4, y - 4, w + 8, h + 8, 16, 16));
      }
    }
    g.setColor(INK);
    g.setFont(NAME);
    g.drawString(
        v.name(),
        (float) (p.getX() - nm.stringWidth(v.name()) / 2.0),
        (float) (y + 6 + nm.getAscent()));
    g.setFont(DETAIL);
    g.drawString(
        v.detail(),
        (float) (p.getX() - dm.stringWidth(v.detail()) / 2.0),
        (float) (y + 8 + nm.getHeight() + dm.getAscent()));
    if (!role.isEmpty()) {
      g.drawString(
          role,
          (float) (p.getX() - dm.stringWidth(role) / 2.0),
          (float) (y + 8 + nm.getHeight() + dm.getHeight() + dm.getAscent()));
    }
  }

  private void legend(Graphics2D g) {
    g.setFont(DETAIL);
    int y = height - 70;
    String[][] rows = {
      {"handshake within 3 minutes", "FRESH"},
      {"handshake older than 3 minutes", "STALE"},
      {"no handshake yet", "NONE"}
    };
    g.setStroke(new BasicStroke(2.2f));
    for (String[] r : rows) {
      g.setColor(EDGE.get(Freshness.valueOf(r[1])));
      g.drawLine(20, y - 4, 50, y - 4);
      g.setColor(INK);
      g.drawString(r[0], 58, y);
      y += 16;
    }
    g.drawString(
        "box: node   double box: gateway   heavy box: leader or relay   ellipse: external peer"
            + "   edge label: last handshake, received / sent",
        20,
        y + 4);
  }
}
