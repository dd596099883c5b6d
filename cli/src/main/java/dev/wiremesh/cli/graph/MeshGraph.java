package dev.wiremesh.cli.graph;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.mesh.Freshness;
import dev.wiremesh.cli.mesh.Human;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.cli.mesh.Pair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgrapht.Graph;
import org.jgrapht.graph.SimpleGraph;

/**
 * A mesh as a graph: a vertex per peer (node, gateway, external peer; with locations, each node's
 * role, leaders marked) and an edge per tunnel the plan says should exist, coloured by handshake
 * freshness and labelled with its transfer.
 */
public final class MeshGraph {

  /**
   * A peer.
   *
   * @param kind "node", "gateway" or "external"
   * @param detail what the picture writes under the name: the node and the tunnel address
   * @param role its role in the topology ("Leader of zone-1", "Member of zone-1", "relay"), or null
   * @param forwards whether it carries other peers' traffic (a location's leader, a NAT relay):
   *     drawn with a heavy border
   */
  public record Vertex(String name, String kind, String detail, String role, boolean forwards) {}

  /** A tunnel between two peers. */
  public record Edge(Vertex a, Vertex b, Freshness freshness, String label) {}

  private final String mesh;
  private final Graph<Vertex, Edge> graph = new SimpleGraph<>(null, null, false);

  private MeshGraph(String mesh) {
    this.mesh = mesh;
  }

  public static MeshGraph of(MeshState s, Instant now) {
    MeshGraph g = new MeshGraph(s.name());
    Map<String, Vertex> vertices = new LinkedHashMap<>();
    for (WireGuardPeer p : s.peers().values()) {
      String name = p.getMetadata().getName();
      String address = p.getStatus() == null ? null : p.getStatus().getAddress();
      String where = p.getSpec().isExternal() ? "external peer" : "node " + p.getSpec().getNode();
      Vertex v =
          new Vertex(
              name,
              s.kind(name),
              where + (address == null ? "" : ", " + address.replace(",", ", ")),
              s.role(name),
              s.forwards(name));
      vertices.put(name, v);
      g.graph.addVertex(v);
    }
    for (Pair pair : s.pairs()) {
      Vertex a = vertices.get(pair.a());
      Vertex b = vertices.get(pair.b());
      Freshness f = Freshness.of(pair.lastHandshake(), now);
      String label =
          pair.rxBytes() == null
              ? Human.age(pair.lastHandshake(), now)
              : Human.age(pair.lastHandshake(), now)
                  + ", "
                  + Human.bytes(pair.rxBytes())
                  + " / "
                  + Human.bytes(pair.txBytes());
      g.graph.addEdge(a, b, new Edge(a, b, f, label));
    }
    return g;
  }

  public String mesh() {
    return mesh;
  }

  public Graph<Vertex, Edge> graph() {
    return graph;
  }
}
