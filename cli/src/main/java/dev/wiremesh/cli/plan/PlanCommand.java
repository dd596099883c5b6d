package dev.wiremesh.cli.plan;

import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.CliException;
import dev.wiremesh.cli.Cluster;
import dev.wiremesh.cli.WiremeshCommand;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.validation.CrdValidator;
import dev.wiremesh.validation.FieldViolation;
import dev.wiremesh.validation.InvalidResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kubectl wiremesh plan -f FILE}: what the operator would do if FILE were applied. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    header = "Show what the operator would do if resources were applied.",
    description = {
      "Show what the operator would do if these resources were applied, and apply nothing: the"
          + " addresses it would allocate, for each node the peers added, removed and changed"
          + " (keys as fingerprints), the configurations whose hash changes, and the nodes that"
          + " see no change. It runs the operator's own planner on the cluster's current state."
          + " Resources the API server would refuse are reported as it would report them, and"
          + " then nothing is planned. Hashes are of the configurations as the agents get them,"
          + " with the mesh's encryption policy, less the API server addresses the operator"
          + " exempts in it (which only the operator knows). On a mesh with nodes behind NAT,"
          + " the configurations are planned with the NAT traversal state the operator recorded"
          + " in the node peers' status (published endpoints, keepalives, relayed pairs), as it"
          + " pushes them while the agents report nothing new.",
      "",
      "Examples:",
      "  kubectl wiremesh plan -f laptop-bob.yaml",
      "  cat peers.yaml | kubectl wiremesh plan -f -"
    })
public final class PlanCommand implements Runnable {

  @ParentCommand WiremeshCommand root;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description =
          "The resources to plan (YAML or JSON, one or many documents); - reads standard input.")
  String file;

  enum Format {
    text,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json (full hashes and keys, for programs).")
  Format format = Format.text;

  /** The plan: what the file changes, and per mesh what the operator would do. */
  public record Plan(List<String> changes, List<MeshChange> meshes, List<String> missingMeshes) {}

  @Override
  public void run() {
    ChangeSet changes = read();
    Plan plan;
    try (Cluster cluster = root.cluster()) {
      validate(cluster, changes);
      plan = plan(cluster, changes.resources(), root.terminal().clock().instant());
    }
    var out = root.terminal().out();
    if (format == Format.json) {
      try {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(plan));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new CliException("cannot write the plan: " + e.getMessage(), e);
      }
    } else {
      out.print(text(plan));
    }
    out.flush();
  }

  private static String text(Plan plan) {
    StringBuilder out = new StringBuilder();
    out.append("Changes: ").append(String.join("; ", plan.changes())).append('\n');
    if (plan.meshes().isEmpty() && plan.missingMeshes().isEmpty()) {
      out.append("\nNo mesh is affected: nothing would change on any node.\n");
    }
    for (String mesh : plan.missingMeshes()) {
      out.append("\nWireGuardMesh \"")
          .append(mesh)
          .append("\" does not exist: the operator leaves its peers alone until it does.\n");
    }
    for (MeshChange c : plan.meshes()) {
      out.append('\n').append(PlanReport.render(c));
    }
    return out.toString();
  }

  private ChangeSet read() {
    if (file.equals("-")) {
      return ChangeSet.read("<stdin>", root.terminal().in());
    }
    Path p = Path.of(file);
    if (Files.isDirectory(p)) {
      throw new CliException(file + " is a folder: give one file (or - for standard input)");
    }
    try (InputStream in = Files.newInputStream(p)) {
      return ChangeSet.read(file, in);
    } catch (NoSuchFileException e) {
      throw new CliException("the file " + file + " does not exist");
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The API server's schema and CEL checks, with the CRDs installed in the cluster. */
  private static void validate(Cluster cluster, ChangeSet changes) {
    Map<String, CrdValidator> validators = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    for (ChangeSet.Document d : changes.documents()) {
      String crd =
          switch (d.kind()) {
            case "WireGuardMesh" -> "wireguardmeshes.wiremesh.dev";
            case "WireGuardPeer" -> "wireguardpeers.wiremesh.dev";
            default -> null;
          };
      if (crd == null) {
        continue;
      }
      CrdValidator v = validators.computeIfAbsent(crd, n -> CrdValidator.of(cluster.crd(n)));
      List<FieldViolation> violations = v.validate(d.json());
      if (!violations.isEmpty()) {
        refused.add(
            changes.source()
                + ": "
                + InvalidResource.kubectlMessage(d.kind(), d.name(), violations));
      }
    }
    if (!refused.isEmpty()) {
      throw new CliException(String.join("\n", refused));
    }
  }

  private static Plan plan(Cluster cluster, ChangeSet.Resources change, java.time.Instant now) {
    List<WireGuardMesh> meshesNow = cluster.meshes();
    List<WireGuardPeer> peersNow = cluster.peers();
    List<Node> nodes = cluster.nodes();

    Map<String, WireGuardMesh> meshesThen = new TreeMap<>();
    meshesNow.forEach(m -> meshesThen.put(m.getMetadata().getName(), m));
    Map<String, WireGuardPeer> peersThen = new TreeMap<>();
    peersNow.forEach(p -> peersThen.put(p.getMetadata().getName(), p));
    Map<String, Secret> secretsThen = new TreeMap<>();
    change.secrets().forEach(s -> secretsThen.put(key(s), s));

    List<String> applied = new ArrayList<>();
    TreeSet<String> affected = new TreeSet<>();
    for (WireGuardMesh m : change.meshes()) {
      String name = m.getMetadata().getName();
      WireGuardMesh old = meshesThen.get(name);
      applied.add(
          "WireGuardMesh " + name + ": " + verb(old == null ? null : old.getSpec(), m.getSpec()));
      if (old != null) {
        m.setStatus(old.getStatus());
      }
      meshesThen.put(name, m);
      affected.add(name);
    }
    for (WireGuardPeer p : change.peers()) {
      String name = p.getMetadata().getName();
      WireGuardPeer old = peersThen.get(name);
      applied.add(
          "WireGuardPeer " + name + ": " + verb(old == null ? null : old.getSpec(), p.getSpec()));
      if (old != null) {
        // The API server keeps the status when the spec changes; IPAM keeps the address.
        p.setStatus(old.getStatus());
        affected.add(old.getSpec().getMesh());
      }
      peersThen.put(name, p);
      affected.add(p.getSpec().getMesh());
    }
    for (Secret s : change.secrets()) {
      applied.add("Secret " + key(s) + ": applied");
      for (WireGuardPeer p : peersThen.values()) {
        var ref = p.getSpec() == null ? null : p.getSpec().getPresharedKeySecretRef();
        if (ref != null && key(ref.getNamespace(), ref.getName()).equals(key(s))) {
          affected.add(p.getSpec().getMesh());
        }
      }
    }

    List<MeshChange> meshes = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String mesh : affected) {
      WireGuardMesh after = meshesThen.get(mesh);
      if (after == null) {
        missing.add(mesh);
        continue;
      }
      WireGuardMesh before =
          meshesNow.stream()
              .filter(m -> m.getMetadata().getName().equals(mesh))
              .findFirst()
              .orElse(null);
      MeshState was =
          before == null
              ? null
              : MeshState.of(
                  before,
                  nodes,
                  peersNow,
                  ref -> cluster.secret(ref.getNamespace(), ref.getName()));
      MeshState will =
          MeshState.of(
              after,
              nodes,
              List.copyOf(peersThen.values()),
              ref -> {
                Secret s = secretsThen.get(key(ref.getNamespace(), ref.getName()));
                return s != null ? s : cluster.secret(ref.getNamespace(), ref.getName());
              });
      meshes.add(MeshChange.between(was, will, now));
    }
    return new Plan(applied, meshes, missing);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** kubectl apply's words: created, configured, unchanged (specs compared as JSON). */
  private static String verb(Object before, Object after) {
    if (before == null) {
      return "created";
    }
    return Objects.equals(JSON.valueToTree(before), JSON.valueToTree(after))
        ? "unchanged"
        : "configured";
  }

  private static String key(Secret s) {
    return key(s.getMetadata().getNamespace(), s.getMetadata().getName());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
