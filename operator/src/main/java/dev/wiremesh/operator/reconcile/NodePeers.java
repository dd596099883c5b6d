package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps one WireGuardPeer per node a mesh selects, named {@code <mesh>-<node>}, owned by its Node
 * (so the garbage collector removes it with the Node) and labelled with its mesh. Peers of nodes
 * that are gone or no longer selected are deleted here too — their finalizer then removes them from
 * the agents.
 */
final class NodePeers {

  static final String MESH_LABEL = "wiremesh.dev/mesh";
  static final String NODE_LABEL = "wiremesh.dev/node";

  private NodePeers() {}

  static String peerName(String mesh, String node) {
    return mesh + "-" + node;
  }

  /** Creates missing node peers and deletes stale ones; returns whether anything changed. */
  static boolean ensure(
      KubernetesClient client,
      WireGuardMesh mesh,
      Map<String, Node> nodes,
      List<WireGuardPeer> peers) {
    String meshName = mesh.getMetadata().getName();
    boolean changed = false;
    Set<String> existing =
        peers.stream()
            .filter(p -> !p.getSpec().isExternal())
            .map(p -> p.getSpec().getNode())
            .collect(Collectors.toSet());
    for (Node n : nodes.values()) {
      String node = n.getMetadata().getName();
      if (existing.contains(node)) {
        continue;
      }
      WireGuardPeer peer = new WireGuardPeer();
      peer.setMetadata(
          new ObjectMetaBuilder()
              .withName(peerName(meshName, node))
              .addToLabels(MESH_LABEL, meshName)
              .addToLabels(NODE_LABEL, node)
              .addToOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withApiVersion("v1")
                      .withKind("Node")
                      .withName(node)
                      .withUid(n.getMetadata().getUid())
                      .build())
              .build());
      WireGuardPeerSpec spec = new WireGuardPeerSpec();
      spec.setMesh(meshName);
      spec.setNode(node);
      peer.setSpec(spec);
      try {
        client.resource(peer).create();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      changed = true;
    }
    for (WireGuardPeer p : peers) {
      if (!p.getSpec().isExternal()
          && p.getMetadata().getDeletionTimestamp() == null
          && !nodes.containsKey(p.getSpec().getNode())) {
        client.resource(p).delete();
        changed = true;
      }
    }
    return changed;
  }
}
