package dev.wiremesh.operator.encryption;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.crd.v1alpha1.Encryption;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which policy goes to which agent. An agent that knows the policy says so by reporting an {@code
 * encryption} object in its status; it gets the policy in its config. An agent that does not
 * (older) gets the config without it — it would refuse it for its hash — and its node is reported
 * not enforced. A node whose agent could not be asked this pass keeps what it has: with Required it
 * is not pushed to, so a config without the policy can never remove its rules.
 */
public final class EncryptionPolicies {
  private EncryptionPolicies() {}

  /** The policy of a mesh; Preferred while the mesh is being deleted (its tables go). */
  public static EncryptionPolicy of(WireGuardMesh mesh, List<String> apiServers) {
    boolean deleting = mesh.getMetadata().getDeletionTimestamp() != null;
    boolean required = !deleting && mesh.getSpec().effectiveEncryption() == Encryption.Required;
    return new EncryptionPolicy(
        required ? EncryptionPolicy.REQUIRED : EncryptionPolicy.PREFERRED,
        EncryptionPolicy.tableFor(mesh.getMetadata().getName()),
        apiServers);
  }

  /**
   * The configs to push: with the policy for the agents that report one, as planned for those that
   * do not, and without the nodes whose agent gave no status this pass when the policy is Required.
   */
  public static Map<String, DeviceConfig> apply(
      Map<String, DeviceConfig> planned,
      EncryptionPolicy policy,
      Map<String, DeviceStatus> statuses) {
    Map<String, DeviceConfig> out = new TreeMap<>();
    planned.forEach(
        (node, c) -> {
          DeviceStatus s = statuses.get(node);
          if (s == null) {
            if (!policy.required()) {
              out.put(node, c);
            }
          } else if (s.encryption() != null) {
            out.put(node, c.withEncryption(policy).withHash());
          } else {
            out.put(node, c);
          }
        });
    return out;
  }
}
