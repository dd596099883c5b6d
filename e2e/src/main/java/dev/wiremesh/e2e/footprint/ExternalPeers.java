package dev.wiremesh.e2e.footprint;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * External peers for {@code footprint --external-peers N}: WireGuardPeers of the example mesh with
 * a public key of their own (a site, a laptop), which the operator attaches to the gateway. Only
 * their public keys exist: nothing answers behind them, as for an idle site, and their private keys
 * are dropped at once.
 */
final class ExternalPeers {

  /** The interface of the example mesh (crds/examples/mesh.yaml). */
  private static final String INTERFACE = "wm0";

  private ExternalPeers() {}

  /** Adds {@code count} external peers and waits until the gateway's agent holds every one. */
  static void add(LocalMesh mesh, int count) {
    for (int i = 1; i <= count; i++) {
      WireGuardPeerSpec spec = new WireGuardPeerSpec();
      spec.setMesh("mesh");
      spec.setPublicKey(newPublicKey());
      WireGuardPeer p = new WireGuardPeer();
      p.setMetadata(new ObjectMetaBuilder().withName(String.format("footprint-%04d", i)).build());
      p.setSpec(spec);
      mesh.client().resource(p).create();
    }
    int expected = count + mesh.nodes().size() - 1;
    // The operator plans and pushes in its resync period; 10 minutes for a loaded machine.
    mesh.await(
        Footprint.GATEWAY + "'s agent holding " + expected + " peers",
        Duration.ofMinutes(10),
        () -> mesh.agentPeers(Footprint.GATEWAY, INTERFACE).size() >= expected);
  }

  private static String newPublicKey() {
    try {
      byte[] x509 =
          KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic().getEncoded();
      return Base64.getEncoder()
          .encodeToString(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is missing from this JDK", e);
    }
  }
}
