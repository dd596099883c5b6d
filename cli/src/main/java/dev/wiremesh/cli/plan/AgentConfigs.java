package dev.wiremesh.cli.plan;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.crd.v1alpha1.Encryption;
import dev.wiremesh.cli.mesh.MeshState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each node's configuration as its agent gets it: the planner's, with the mesh's encryption policy
 * ({@code spec.encryption}, docs/encryption.md) as the operator adds it for the agents that know
 * it, so that a change of the policy shows as a change of every node. Left out: the Kubernetes API
 * server addresses that the operator exempts in the policy (the address it reaches the API server
 * at, and its own settings), which only the operator knows; the hashes are of the configurations
 * without them.
 */
final class AgentConfigs {

  private AgentConfigs() {}

  static Map<String, DeviceConfig> of(MeshState s) {
    EncryptionPolicy policy =
        new EncryptionPolicy(
            s.mesh().getSpec().effectiveEncryption() == Encryption.Required
                ? EncryptionPolicy.REQUIRED
                : EncryptionPolicy.PREFERRED,
            EncryptionPolicy.tableFor(s.name()),
            List.of());
    Map<String, DeviceConfig> out = new TreeMap<>();
    s.plan().configs().forEach((node, c) -> out.put(node, c.withEncryption(policy).withHash()));
    return out;
  }

  /** The policy's mode, as the plan writes it. */
  static String mode(DeviceConfig c) {
    return c.encryption() == null ? "(none)" : c.encryption().mode();
  }
}
