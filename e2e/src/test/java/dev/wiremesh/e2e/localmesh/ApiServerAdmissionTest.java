package dev.wiremesh.e2e.localmesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local mesh's API server refuses what a real one refuses — on create, update, JSON patch,
 * merge patch and status writes — with a Status of reason Invalid naming each field, and stores
 * nothing of it. (KubectlPluginIT does the same through kubectl on a running mesh.)
 */
class ApiServerAdmissionTest {
  static ApiServer api;

  static final String KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

  @BeforeAll
  static void start() throws Exception {
    api =
        new ApiServer(
            0,
            List.of(
                Path.of("../crds/wireguardmeshes.wiremesh.dev-v1.yml"),
                Path.of("../crds/wireguardpeers.wiremesh.dev-v1.yml")));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static WireGuardPeer peer(String name, String publicKey, String endpoint) {
    WireGuardPeer p = new WireGuardPeer();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    WireGuardPeerSpec s = new WireGuardPeerSpec();
    s.setMesh("mesh");
    s.setPublicKey(publicKey);
    s.setEndpoint(endpoint);
    p.setSpec(s);
    return p;
  }

  static List<String> causes(KubernetesClientException e) {
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
    return e.getStatus().getDetails().getCauses().stream().map(StatusCause::getField).toList();
  }

  @Test
  void anInvalidCreateIsRefusedAndNothingStored() {
    var e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> api.client().resource(peer("bad-key", "not-a-key", "[1.2.3.4]:51820")).create());
    assertThat(causes(e)).containsExactly("spec.publicKey", "spec.endpoint");
    assertThat(e.getStatus().getMessage())
        .startsWith("WireGuardPeer.wiremesh.dev \"bad-key\" is invalid: [spec.publicKey: ");
    assertThat(api.client().resources(WireGuardPeer.class).withName("bad-key").get()).isNull();
  }

  @Test
  void updatesAndPatchesThatWouldStoreSomethingInvalidAreRefused() {
    api.client().resource(peer("good", KEY, null)).create();
    var resource = api.client().resources(WireGuardPeer.class).withName("good");

    var update =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> {
              WireGuardPeer p = resource.get();
              p.getSpec().setNode("node-1");
              api.client().resource(p).update();
            });
    assertThat(causes(update)).containsExactly("spec");

    var jsonPatch =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                resource.edit(
                    p -> {
                      p.getSpec().setEndpoint("host:0");
                      return p;
                    }));
    assertThat(causes(jsonPatch)).containsExactly("spec.endpoint");

    var mergePatch =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                resource.patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"persistentKeepalive\":70000}}"));
    assertThat(causes(mergePatch)).containsExactly("spec.persistentKeepalive");

    assertThat(resource.get().getSpec().getNode()).isNull();
    assertThat(resource.get().getSpec().getEndpoint()).isNull();
    assertThat(resource.get().getSpec().getPersistentKeepalive()).isNull();

    // A valid change goes through, and a status write is checked against the status schema.
    resource.patch(
        PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"endpoint\":\"vpn.example.com:51820\"}}");
    assertThat(resource.get().getSpec().getEndpoint()).isEqualTo("vpn.example.com:51820");
    WireGuardPeer withStatus = resource.get();
    WireGuardPeerStatus st = new WireGuardPeerStatus();
    st.setAddress("10.100.0.9");
    withStatus.setStatus(st);
    api.client().resource(withStatus).updateStatus();
    assertThat(resource.get().getStatus().getAddress()).isEqualTo("10.100.0.9");
  }

  /**
   * A client that sends {@code "status": null} in an edit of the resource (the Fabric8 model does
   * when the status is unset) is not refused, and later patches of the resource (an operator adding
   * its finalizer) still go through: the status of a write to the resource itself is ignored, and
   * null fields are pruned before validation, as a real API server does.
   */
  @Test
  void aNullStatusInAResourceWriteIsIgnoredAndLaterPatchesGoThrough() {
    api.client().resource(peer("null-status", KEY, null)).create();
    var resource = api.client().resources(WireGuardPeer.class).withName("null-status");
    resource.patch(
        PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/status\",\"value\":null}]");
    resource.edit(
        p -> {
          p.getMetadata().setFinalizers(List.of("wireguardpeers.wiremesh.dev/finalizer"));
          return p;
        });
    assertThat(resource.get().getMetadata().getFinalizers())
        .containsExactly("wireguardpeers.wiremesh.dev/finalizer");
  }
}
