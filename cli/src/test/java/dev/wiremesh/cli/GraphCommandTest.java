package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class GraphCommandTest extends WithFixtureCluster {
  @Test
  void dot() {
    var r = cluster.run("graph", "mesh", "-o", "dot");
    assertThat(r.status()).isZero();
    Golden.check("graph.dot", r.out());
  }

  @Test
  void svgIsWellFormedAndNamesEveryPeerAndTunnel() throws Exception {
    var r = cluster.run("graph", "-o", "svg");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document svg = f.newDocumentBuilder().parse(new ByteArrayInputStream(r.bytes()));
    assertThat(svg.getDocumentElement().getLocalName()).isEqualTo("svg");
    NodeList texts = svg.getElementsByTagNameNS("*", "text");
    Set<String> words = new HashSet<>();
    for (int i = 0; i < texts.getLength(); i++) {
      words.add(texts.item(i).getTextContent());
    }
    assertThat(words)
        .contains("mesh-node-1", "mesh-node-2", "mesh-node-3", "laptop-alice")
        .contains("node node-1, 10.100.0.2, fd00:100::2")
        // every tunnel's label: its handshake and its bytes received / sent
        .contains(
            "29s, 1.50 KiB / 3.13 KiB", "2m, 2.10 MiB / 4.98 KiB", "20m, 90 B / 120 B", "never");
    // One line per tunnel, coloured by freshness: 2 green, 1 orange, 1 red.
    String text = r.out();
    assertThat(count(text, "rgb(46,158,68)")).isGreaterThanOrEqualTo(2);
    assertThat(text).contains("rgb(224,138,0)").contains("rgb(208,48,48)");
  }

  @Test
  void pngDecodesAndIsNotBlank() throws Exception {
    var r = cluster.run("graph", "mesh", "-o", "png");
    assertThat(r.status()).isZero();
    // Kept for a look: target/graph-fixture.png.
    java.nio.file.Files.write(java.nio.file.Path.of("target/graph-fixture.png"), r.bytes());
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.bytes()));
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isGreaterThan(400);
    Set<Integer> colours = new HashSet<>();
    int notWhite = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (rgb != 0xffffff) {
          notWhite++;
        }
      }
    }
    assertThat(colours).as("nodes, externals, three edge colours, text").hasSizeGreaterThan(6);
    assertThat(colours).contains(0x2e9e44, 0xe08a00, 0xd03030, 0xdbe8f7, 0xfde7c8);
    assertThat(notWhite).isGreaterThan(1000);
  }

  @Test
  void pngIsNotWrittenToATerminal() {
    var r = cluster.run(true, "", "graph", "-o", "png");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.bytes()).isEmpty();
    assertThat(r.err())
        .isEqualTo("error: -o png writes a binary image: redirect it to a file (> mesh.png)\n");
  }

  @Test
  void anUnknownFormatIsAUsageError() {
    var r = cluster.run("graph", "-o", "pdf");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("dot, svg, png").contains("kubectl wiremesh graph --help");
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
