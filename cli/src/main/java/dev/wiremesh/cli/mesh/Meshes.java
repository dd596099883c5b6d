package dev.wiremesh.cli.mesh;

import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.CliException;
import dev.wiremesh.cli.Cluster;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;

/** Reads the meshes a command is about from the cluster: one by name, or all of them. */
public final class Meshes {

  private Meshes() {}

  /** {@code name}'s state, or every mesh's when name is null; an error when there is none. */
  public static List<MeshState> read(Cluster cluster, String name) {
    cluster.requireCrds();
    List<WireGuardMesh> meshes = name == null ? cluster.meshes() : List.of(cluster.mesh(name));
    if (meshes.isEmpty()) {
      throw new CliException("there is no WireGuardMesh in this cluster");
    }
    List<Node> nodes = cluster.nodes();
    List<WireGuardPeer> peers = cluster.peers();
    return meshes.stream()
        .map(
            m ->
                MeshState.of(
                    m, nodes, peers, ref -> cluster.secret(ref.getNamespace(), ref.getName())))
        .toList();
  }
}
