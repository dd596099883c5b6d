package dev.wiremesh.e2e.scenarios;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.MeshNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the local mesh's agents applied, as {@code kubectl wiremesh plan} hashes it. */
final class AppliedConfigs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AppliedConfigs() {}

  /**
   * The hash of the configuration each node's agent applied, as it persisted it, without the API
   * server addresses in its encryption policy: the operator exempts those (ApiServers), and only it
   * knows them, so the plan's hashes leave them out.
   */
  static Map<String, String> hashes(LocalMesh mesh) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (MeshNode n : mesh.nodes()) {
      Path f = n.stateDir().resolve("applied-config.json");
      DeviceConfig c = JSON.readValue(f.toFile(), DeviceConfig.class);
      EncryptionPolicy p = c.encryption();
      out.put(
          n.name(),
          c.withEncryption(p == null ? null : new EncryptionPolicy(p.mode(), p.table(), List.of()))
              .withHash()
              .hash());
    }
    return out;
  }

  /**
   * Writes, in {@code dir}, the external peer laptop-bob of mesh "mesh" with {@code publicKey}, a
   * laptop with no network behind it (its addresses come from the mesh's external peer pools): the
   * change the plan scenarios plan, then apply.
   */
  static Path externalPeerFile(Path dir, String publicKey) throws IOException {
    return Files.writeString(
        dir.resolve("laptop-bob.yaml"),
        """
        apiVersion: wiremesh.dev/v1alpha1
        kind: WireGuardPeer
        metadata: {name: laptop-bob}
        spec:
          mesh: mesh
          publicKey: %s
        """
            .formatted(publicKey));
  }
}
