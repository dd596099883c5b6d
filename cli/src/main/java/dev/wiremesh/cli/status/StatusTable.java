package dev.wiremesh.cli.status;

import dev.wiremesh.cli.mesh.Human;
import java.util.ArrayList;
import java.util.List;

/** The status as kubectl-style tables, one block per mesh. */
final class StatusTable {

  private StatusTable() {}

  static String render(List<MeshReport> reports, boolean colour) {
    StringBuilder s = new StringBuilder();
    for (MeshReport r : reports) {
      if (!s.isEmpty()) {
        s.append('\n');
      }
      long fresh =
          r.tunnels().stream()
              .filter(t -> t.freshness() == dev.wiremesh.cli.mesh.Freshness.FRESH)
              .count();
      s.append("MESH ")
          .append(r.mesh())
          .append(": ")
          .append(r.nodes().size())
          .append(r.nodes().size() == 1 ? " node, " : " nodes, ")
          .append(r.externalPeers().size())
          .append(r.externalPeers().size() == 1 ? " external peer, " : " external peers, ")
          .append(fresh)
          .append(" of ")
          .append(r.tunnels().size())
          .append(" tunnels with a handshake in the last 3m")
          .append(r.ready() == null ? "" : ", ready: " + r.ready())
          .append("\n\n");

      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NODE", "PEER", "GATEWAY", "ADDRESS", "ENDPOINT", "READY"});
      for (var n : r.nodes()) {
        rows.add(
            new String[] {
              n.node(),
              n.peer(),
              n.gateway() ? "yes" : "no",
              or(n.address()),
              or(n.endpoint()),
              or(n.ready())
            });
      }
      table(s, rows, null, colour);
      s.append('\n');

      if (r.externalPeers().isEmpty()) {
        s.append("No external peers.\n");
      } else {
        rows = new ArrayList<>();
        rows.add(new String[] {"EXTERNAL PEER", "ADDRESS", "ENDPOINT", "ALLOWED IPS", "READY"});
        for (var e : r.externalPeers()) {
          rows.add(
              new String[] {
                e.peer(),
                or(e.address()),
                or(e.endpoint()),
                e.allowedIPs().isEmpty() ? "<none>" : String.join(",", e.allowedIPs()),
                or(e.ready())
              });
        }
        table(s, rows, null, colour);
      }
      s.append('\n');

      if (r.tunnels().isEmpty()) {
        s.append("No tunnels planned yet.\n");
      } else {
        rows = new ArrayList<>();
        List<dev.wiremesh.cli.mesh.Freshness> paint = new ArrayList<>();
        rows.add(new String[] {"TUNNEL", "HANDSHAKE", "RECEIVED", "SENT", "COUNTED BY"});
        paint.add(null);
        for (var t : r.tunnels()) {
          rows.add(
              new String[] {
                t.a() + " <-> " + t.b(),
                t.age(),
                Human.bytes(t.rxBytes()),
                Human.bytes(t.txBytes()),
                or(t.countedBy())
              });
          paint.add(t.freshness());
        }
        table(s, rows, paint, colour);
      }
    }
    return s.toString();
  }

  private static String or(String v) {
    return v == null || v.isEmpty() ? "<none>" : v;
  }

  /** Columns padded as kubectl pads them (3 spaces); the handshake column coloured per row. */
  private static void table(
      StringBuilder s,
      List<String[]> rows,
      List<dev.wiremesh.cli.mesh.Freshness> paint,
      boolean colour) {
    int cols = rows.getFirst().length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int row = 0; row < rows.size(); row++) {
      String[] r = rows.get(row);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        String cell = r[i];
        String padded = i == cols - 1 ? cell : cell + " ".repeat(width[i] - cell.length() + 3);
        if (paint != null && i == 1 && paint.get(row) != null) {
          padded = paint.get(row).paint(cell, colour) + padded.substring(cell.length());
        }
        line.append(padded);
      }
      s.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
