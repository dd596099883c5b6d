package dev.wiremesh.operator.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.agent.EncryptionStatus;
import dev.wiremesh.api.crd.v1alpha1.Encryption;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which agent gets which policy, and what each node peer's condition and the mesh's summary say.
 */
class EncryptionPoliciesTest {
  static final List<String> API = List.of("192.0.2.10:6443");

  static WireGuardMesh mesh(Encryption e, boolean deleting) {
    WireGuardMesh m = new WireGuardMesh();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName("mesh")
            .withDeletionTimestamp(deleting ? "2026-12-03T08:00:00Z" : null)
            .build());
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setEncryption(e);
    m.setSpec(spec);
    return m;
  }

  static DeviceConfig config(String address) {
    return new DeviceConfig(null, "wm0", List.of(address), 51820, 0, List.of()).withHash();
  }

  static DeviceStatus knows(boolean enforced, String reason) {
    return new DeviceStatus(
        "sha256:x",
        "k",
        51820,
        List.of(),
        new EncryptionStatus(
            enforced ? "Required" : "Preferred",
            "wiremesh-mesh",
            enforced,
            reason,
            "m",
            7,
            588,
            null));
  }

  static final DeviceStatus OLD = new DeviceStatus("sha256:x", "k", 51820, List.of());

  @Test
  void thePolicyOfAMesh() {
    assertThat(EncryptionPolicies.of(mesh(null, false), API))
        .isEqualTo(new EncryptionPolicy("Preferred", "wiremesh-mesh", API));
    assertThat(EncryptionPolicies.of(mesh(Encryption.Required, false), API).required()).isTrue();
    assertThat(EncryptionPolicies.of(mesh(Encryption.Required, true), API).required())
        .as("a mesh being deleted has its tables removed")
        .isFalse();
  }

  @Test
  void agentsThatKnowThePolicyGetItOldOnesDoNotAndUnreachableOnesAreLeftAloneWhenRequired() {
    Map<String, DeviceConfig> planned =
        Map.of(
            "new", config("10.100.0.1/16"),
            "old", config("10.100.0.2/16"),
            "away", config("10.100.0.3/16"));
    Map<String, DeviceStatus> statuses = Map.of("new", knows(false, "NotRequired"), "old", OLD);
    EncryptionPolicy required = EncryptionPolicies.of(mesh(Encryption.Required, false), API);
    Map<String, DeviceConfig> out = EncryptionPolicies.apply(planned, required, statuses);
    assertThat(out).containsOnlyKeys("new", "old");
    assertThat(out.get("new").encryption()).isEqualTo(required);
    assertThat(out.get("new").hashMatches()).isTrue();
    assertThat(out.get("old")).isEqualTo(planned.get("old"));

    EncryptionPolicy preferred = EncryptionPolicies.of(mesh(Encryption.Preferred, false), API);
    Map<String, DeviceConfig> back = EncryptionPolicies.apply(planned, preferred, statuses);
    assertThat(back).containsOnlyKeys("new", "old", "away");
    assertThat(back.get("new").encryption().mode()).isEqualTo("Preferred");
  }

  @Test
  void eachNodesConditionAndTheMeshSummary() {
    Enforcement e =
        Enforcement.of(
            true,
            List.of("a", "b", "c", "d", "e"),
            Map.of(
                "a", knows(true, "Enforced"),
                "b", knows(false, "InstallFailed"),
                "c", OLD,
                "d", knows(false, "NotRequired")));
    assertThat(e.state()).isEqualTo("NotEnforced");
    assertThat(e.enforcedNodes()).isEqualTo(1);
    assertThat(e.nodes().get("a").enforced()).isTrue();
    assertThat(e.nodes().get("a").message()).contains("7 packet(s) dropped");
    assertThat(e.nodes().get("b").reason()).isEqualTo("InstallFailed");
    assertThat(e.nodes().get("c").reason()).isEqualTo("AgentTooOld");
    assertThat(e.nodes().get("c").message()).contains("update it");
    assertThat(e.nodes().get("d").reason()).isEqualTo("Pending");
    assertThat(e.nodes().get("e").reason()).isEqualTo("AgentUnreachable");
    assertThat(e.message())
        .isEqualTo(
            "not enforced on b (InstallFailed), c (AgentTooOld), d (Pending), e"
                + " (AgentUnreachable)");

    Enforcement all = Enforcement.of(true, List.of("a"), Map.of("a", knows(true, "Enforced")));
    assertThat(all.state()).isEqualTo("Enforced");
    Enforcement preferred = Enforcement.of(false, List.of("a"), Map.of());
    assertThat(preferred.state()).isEqualTo("Preferred");
    assertThat(preferred.nodes()).isEmpty();
    assertThat(preferred.enforcedNodes()).isNull();
  }

  @Test
  void apiServerAddresses() {
    assertThat(
            ApiServers.of(
                "https://127.0.0.1:6443", List.of("192.0.2.10:6443", "[2001:db8::1]:443")))
        .containsExactly("127.0.0.1:6443", "192.0.2.10:6443", "[2001:db8::1]:443");
    assertThat(ApiServers.of("https://[::1]", List.of())).containsExactly("[::1]:443");
    assertThatThrownBy(() -> ApiServers.of(null, List.of("kubernetes:443")))
        .hasMessageContaining("wiremesh.encryption.api-servers: 'kubernetes:443'");
  }
}
