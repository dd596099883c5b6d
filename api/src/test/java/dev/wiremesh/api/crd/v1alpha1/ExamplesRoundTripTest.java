package dev.wiremesh.api.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The examples users copy read into the classes and write back without losing anything. */
class ExamplesRoundTripTest {
  @Test
  void meshExampleRoundTrips() throws Exception {
    JsonNode yaml = CrdFiles.examples("mesh.yaml").get(0);
    WireGuardMesh mesh = CrdFiles.YAML.treeToValue(yaml, WireGuardMesh.class);
    assertThat(mesh.getMetadata().getName()).isEqualTo("mesh");
    assertThat(mesh.getSpec().getAddressPools()).containsExactly("10.100.0.0/16", "fd00:100::/64");
    assertThat(mesh.getSpec().effectiveListenPort()).isEqualTo(51820);
    assertThat(mesh.getSpec().getGatewaySelector().getMatchLabels())
        .containsEntry("wiremesh.dev/gateway", "true");
    JsonNode back = CrdFiles.YAML.valueToTree(mesh);
    assertThat(back.get("spec")).isEqualTo(yaml.get("spec"));
    assertThat(back.get("apiVersion").asText()).isEqualTo("wiremesh.dev/v1alpha1");
  }

  @Test
  void externalPeerExampleRoundTrips() throws Exception {
    JsonNode yaml = CrdFiles.examples("external-peer.yaml").get(1);
    WireGuardPeer peer = CrdFiles.YAML.treeToValue(yaml, WireGuardPeer.class);
    assertThat(peer.getSpec().isExternal()).isTrue();
    assertThat(peer.getSpec().getPresharedKeySecretRef())
        .isEqualTo(new SecretKeyRef("wiremesh-system", "laptop-psk", "presharedKey"));
    assertThat(CrdFiles.YAML.valueToTree(peer).get("spec")).isEqualTo(yaml.get("spec"));
    // Fabric8's own serializer (what the operator uses) agrees.
    WireGuardPeer viaFabric8 =
        Serialization.unmarshal(Serialization.asYaml(peer), WireGuardPeer.class);
    assertThat(viaFabric8.getSpec().getPublicKey()).isEqualTo(peer.getSpec().getPublicKey());
  }

  @Test
  void theExamplePeersSecretIsReferencedCorrectly() {
    JsonNode secret = CrdFiles.examples("external-peer.yaml").get(0);
    JsonNode peer = CrdFiles.examples("external-peer.yaml").get(1);
    assertThat(secret.at("/metadata/name").asText())
        .isEqualTo(peer.at("/spec/presharedKeySecretRef/name").asText());
    assertThat(secret.at("/stringData/presharedKey").asText()).matches("^[A-Za-z0-9+/]{43}=$");
  }
}
