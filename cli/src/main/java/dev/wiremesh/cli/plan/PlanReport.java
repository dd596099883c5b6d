package dev.wiremesh.cli.plan;

import dev.wiremesh.cli.mesh.Human;

/** A mesh's change as text: allocations, problems, each changing node, the unchanged nodes. */
final class PlanReport {

  private PlanReport() {}

  static String render(MeshChange c) {
    StringBuilder s = new StringBuilder();
    s.append("Mesh ").append(c.mesh()).append(c.newMesh() ? " (new)" : "").append(":\n");
    if (c.isEmpty()) {
      s.append("  no change on any node\n");
      return s.toString();
    }
    if (!c.allocations().isEmpty()) {
      s.append("  addresses to allocate:\n");
      c.allocations()
          .forEach((p, a) -> s.append("    ").append(p).append("  ").append(a).append('\n'));
    }
    if (!c.problems().isEmpty()) {
      s.append("  peers the operator would leave out:\n");
      c.problems()
          .forEach((p, m) -> s.append("    ").append(p).append(": ").append(m).append('\n'));
    }
    if (!c.nat().isEmpty() && !c.nodes().isEmpty()) {
      s.append("  NAT traversal, as the operator recorded it in status:\n");
      c.nat().forEach(l -> s.append("    ").append(l).append('\n'));
    }
    for (NodeChange n : c.nodes()) {
      s.append("  node ")
          .append(n.node())
          .append(" (")
          .append(n.peer())
          .append("): config ")
          .append(Human.hash(n.hashBefore()))
          .append(" -> ")
          .append(Human.hash(n.hashAfter()))
          .append('\n');
      n.interfaceChanges().forEach(i -> s.append("      ").append(i).append('\n'));
      for (NodeChange.PeerChange p : n.peers()) {
        s.append("    ")
            .append(p.sign())
            .append(" peer ")
            .append(p.name())
            .append(" [")
            .append(Human.fingerprint(p.publicKey()))
            .append("]: ")
            .append(String.join("; ", p.details()))
            .append('\n');
      }
    }
    s.append("  no change on: ")
        .append(c.unchanged().isEmpty() ? "(none)" : String.join(", ", c.unchanged()))
        .append('\n');
    return s.toString();
  }
}
