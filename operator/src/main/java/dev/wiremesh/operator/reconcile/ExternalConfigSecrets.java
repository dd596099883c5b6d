package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.SecretKeyRef;
import dev.wiremesh.api.crd.v1alpha1.SecretRef;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.WgQuickConfig;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Keeps each external peer's wg-quick file in a Secret {@code wiremesh-peer-<peer>} (key {@value
 * #KEY}) in the operator's namespace, owned by the peer; rewritten only when its content changes.
 */
@ApplicationScoped
public class ExternalConfigSecrets {

  public static final String KEY = "wg-quick.conf";

  @Inject KubernetesClient client;
  @Inject OperatorConfig config;

  public static String secretName(String peer) {
    return "wiremesh-peer-" + peer;
  }

  SecretRef write(
      WireGuardPeer peer,
      WireGuardMesh mesh,
      MeshSettings settings,
      ExternalMember member,
      List<NodeMember> nodes) {
    SecretKeyRef psk = peer.getSpec().getPresharedKeySecretRef();
    String conf =
        WgQuickConfig.render(
            mesh.getMetadata().getName(),
            settings,
            member,
            nodes,
            psk == null
                ? null
                : psk.getNamespace() + "/" + psk.getName() + "[" + psk.effectiveKey() + "]");
    String encoded = Base64.getEncoder().encodeToString(conf.getBytes(StandardCharsets.UTF_8));
    String name = secretName(peer.getMetadata().getName());
    Secret existing = client.secrets().inNamespace(config.namespace()).withName(name).get();
    if (existing == null
        || existing.getData() == null
        || !encoded.equals(existing.getData().get(KEY))) {
      Secret s =
          new SecretBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(config.namespace())
              .addToLabels("app.kubernetes.io/managed-by", "wiremesh-operator")
              .addToLabels(NodePeers.MESH_LABEL, mesh.getMetadata().getName())
              .addToOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withApiVersion(peer.getApiVersion())
                      .withKind(peer.getKind())
                      .withName(peer.getMetadata().getName())
                      .withUid(peer.getMetadata().getUid())
                      .build())
              .endMetadata()
              .withType("Opaque")
              .addToData(KEY, encoded)
              .build();
      client.secrets().inNamespace(config.namespace()).resource(s).createOr(r -> r.update());
    }
    return new SecretRef(config.namespace(), name);
  }
}
