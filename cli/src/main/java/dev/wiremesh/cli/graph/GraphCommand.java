package dev.wiremesh.cli.graph;

import dev.wiremesh.cli.CliException;
import dev.wiremesh.cli.Cluster;
import dev.wiremesh.cli.WiremeshCommand;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.cli.mesh.Meshes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.svg.SVGGraphics2D;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kubectl wiremesh graph [MESH] -o dot|svg|png}: the mesh as a picture. */
@Command(
    name = "graph",
    mixinStandardHelpOptions = true,
    header = "Draw a mesh as DOT, SVG or PNG.",
    description = {
      "Draw a mesh: its nodes (gateways with a double border), its external peers, and a line per"
          + " tunnel coloured by its last handshake (green within 3 minutes, orange older, red"
          + " never) and labelled with its age and the bytes received / sent. SVG and PNG are"
          + " drawn here, no Graphviz needed; DOT is for those who want Graphviz.",
      "",
      "Examples:",
      "  kubectl wiremesh graph -o svg > mesh.svg",
      "  kubectl wiremesh graph mesh -o png > mesh.png",
      "  kubectl wiremesh graph -o dot | dot -Tpdf > mesh.pdf"
    })
public final class GraphCommand implements Runnable {

  enum Format {
    dot,
    svg,
    png
  }

  @ParentCommand WiremeshCommand root;

  @Parameters(
      arity = "0..1",
      paramLabel = "MESH",
      description = "The WireGuardMesh to draw; may be left out when there is only one.")
  String mesh;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "dot (default), svg or png.")
  Format format = Format.dot;

  @Override
  public void run() {
    if (format == Format.png && root.terminal().outIsTerminal()) {
      throw new CliException("-o png writes a binary image: redirect it to a file (> mesh.png)");
    }
    List<MeshState> states;
    try (Cluster cluster = root.cluster()) {
      states = Meshes.read(cluster, mesh);
    }
    if (states.size() > 1) {
      throw new CliException(
          "there are "
              + states.size()
              + " meshes: name the one to draw ("
              + String.join(", ", states.stream().map(MeshState::name).toList())
              + ")");
    }
    MeshGraph g = MeshGraph.of(states.getFirst(), root.terminal().clock().instant());
    try {
      write(g, format, root.terminal().rawOut());
    } catch (IOException e) {
      throw new CliException("cannot write the picture: " + e.getMessage(), e);
    }
  }

  static void write(MeshGraph g, Format format, OutputStream out) throws IOException {
    switch (format) {
      case dot -> out.write(DotFormat.write(g).getBytes(StandardCharsets.UTF_8));
      case svg -> {
        Picture p = new Picture(g);
        SVGGraphics2D svg = new SVGGraphics2D(p.width, p.height);
        p.paint(svg);
        out.write(svg.getSVGDocument().getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
      case png -> {
        Picture p = new Picture(g);
        BufferedImage image = new BufferedImage(p.width, p.height, BufferedImage.TYPE_INT_RGB);
        var g2 = image.createGraphics();
        try {
          p.paint(g2);
        } finally {
          g2.dispose();
        }
        ImageIO.write(image, "png", out);
      }
    }
    out.flush();
  }
}
