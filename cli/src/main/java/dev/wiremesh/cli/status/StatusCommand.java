package dev.wiremesh.cli.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.wiremesh.cli.CliException;
import dev.wiremesh.cli.Cluster;
import dev.wiremesh.cli.WiremeshCommand;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.cli.mesh.Meshes;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kubectl wiremesh status [MESH]}: each mesh's nodes, external peers and tunnels. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Each mesh: nodes, external peers, and the handshake of every tunnel.",
    description = {
      "Show each mesh: its nodes, its external peers, and for each pair of peers that should hold a"
          + " tunnel the age of its last handshake (green within 3 minutes, orange older, red"
          + " never; colours only on a terminal).",
      "",
      "Examples:",
      "  kubectl wiremesh status",
      "  kubectl wiremesh status mesh -o yaml"
    })
public final class StatusCommand implements Runnable {

  enum Format {
    table,
    json,
    yaml
  }

  @ParentCommand WiremeshCommand root;

  @Parameters(
      arity = "0..1",
      paramLabel = "MESH",
      description = "The WireGuardMesh to show (default: all).")
  String mesh;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default), json or yaml.")
  Format format = Format.table;

  @Override
  public void run() {
    List<MeshState> states;
    try (Cluster cluster = root.cluster()) {
      states = Meshes.read(cluster, mesh);
    }
    var now = root.terminal().clock().instant();
    List<MeshReport> reports = states.stream().map(s -> MeshReport.of(s, now)).toList();
    var out = root.terminal().out();
    switch (format) {
      case table -> out.print(StatusTable.render(reports, root.terminal().colour()));
      case json -> out.println(write(new ObjectMapper(), reports));
      case yaml ->
          out.print(
              write(
                  new ObjectMapper(
                      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)),
                  reports));
    }
  }

  private static String write(ObjectMapper mapper, List<MeshReport> reports) {
    try {
      return mapper
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(reports.size() == 1 ? reports.getFirst() : reports);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CliException("cannot write the status: " + e.getMessage(), e);
    }
  }
}
