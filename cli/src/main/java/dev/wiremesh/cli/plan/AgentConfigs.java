package dev.wiremesh.cli.plan;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.crd.v1alpha1.Encryption;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.planner.nat.RecordedNat;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each node's configuration as its agent gets it: the planner's, rewritten for NAT traversal from
 * the state the operator recorded in the node peers' status ({@link RecordedNat}: published
 * endpoints, keepalives, relayed pairs), with the mesh's encryption policy ({@code
 * spec.encryption}, docs/encryption.md) as the operator adds it for the agents that know it, so
 * that a change of the policy shows as a change of every node. Left out: the Kubernetes API server
 * addresses that the operator exempts in the policy (the address it reaches the API server at, and
 * its own settings), which only the operator knows; the hashes are of the configurations without
 * them.
 */
final class AgentConfigs {

  private AgentConfigs() {}

  /** The mesh in its recorded NAT state. */
  static RecordedNat.Applied nat(MeshState s, Instant now) {
    return RecordedNat.apply(s.mesh(), s.plan(), List.copyOf(s.peers().values()), now);
  }

  /** Each node's configuration, from the planner's rewritten for NAT ({@link #nat}). */
  static Map<String, DeviceConfig> of(MeshState s, RecordedNat.Applied nat) {
    EncryptionPolicy policy =
        new EncryptionPolicy(
            s.mesh().getSpec().effectiveEncryption() == Encryption.Required
                ? EncryptionPolicy.REQUIRED
                : EncryptionPolicy.PREFERRED,
            EncryptionPolicy.tableFor(s.name()),
            List.of());
    Map<String, DeviceConfig> out = new TreeMap<>();
    nat.configs().forEach((node, c) -> out.put(node, c.withEncryption(policy).withHash()));
    return out;
  }

  /** The policy's mode, as the plan writes it. */
  static String mode(DeviceConfig c) {
    return c.encryption() == null ? "(none)" : c.encryption().mode();
  }
}
