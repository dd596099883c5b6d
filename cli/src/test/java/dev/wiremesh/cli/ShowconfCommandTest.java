package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShowconfCommandTest extends WithFixtureCluster {
  /** laptop-alice's private key (wg genkey); its public key is in the fixture. */
  static final String ALICE_KEY = "QDfMjasuEz8i3+nTLjxE2xeTc/GvvFKZzmhUovdi6XA=";

  @TempDir Path dir;

  @Test
  void theReadyFileWithThePrivateKeyLeftForTheUser() {
    var r = cluster.run("showconf", "laptop-alice");
    assertThat(r.status()).isZero();
    Golden.check("showconf.conf", r.out());
  }

  @Test
  void thePrivateKeyFilledInLocally() throws Exception {
    Path key = Files.writeString(dir.resolve("alice.key"), ALICE_KEY + "\n");
    var r = cluster.run("showconf", "laptop-alice", "--private-key-file", key.toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    Golden.check("showconf-with-key.conf", r.out());
    assertThat(cluster.server.getRequestCount()).isPositive();
    // The key went nowhere but standard output: no request carried it.
    for (int i = cluster.server.getRequestCount(); i > 0; i--) {
      var req = cluster.server.takeRequest();
      assertThat(req.getPath() + req.getBody().readUtf8()).doesNotContain(ALICE_KEY);
    }
  }

  @Test
  void aKeyOfAnotherPeerIsRefused() throws Exception {
    Path key =
        Files.writeString(dir.resolve("bob.key"), "gAwpDKZorFNpAQLmpadoExwirHX6uckacUdtgkqP4W0=");
    var r = cluster.run("showconf", "laptop-alice", "--private-key-file", key.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "error: --private-key-file "
                + key
                + " does not belong to WireGuardPeer \"laptop-alice\": its public key is"
                + " 9kGrRo4esHR7/fk497dBusAy0ksE0rcX73IGHfVo6QQ=, spec.publicKey is"
                + " IUYHj8+z+KPa5RymT1YFuzxaKzGG4IYcT3NqKK8muUo=\n")
        .doesNotContain("gAwpDKZorFNpAQLmpadoExwirHX6uckacUdtgkqP4W0=");
  }

  @Test
  void aFileThatIsNotAKey() throws Exception {
    Path key = Files.writeString(dir.resolve("bad.key"), "hello");
    var r = cluster.run("showconf", "laptop-alice", "--private-key-file", key.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: --private-key-file "
                + key
                + " must hold one WireGuard private key: the base64 of 32 bytes, as wg genkey"
                + " prints it\n");
  }

  @Test
  void aMissingKeyFile() {
    var r =
        cluster.run("showconf", "laptop-alice", "--private-key-file", dir.resolve("no").toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: cannot read --private-key-file " + dir.resolve("no"));
  }

  @Test
  void aNodePeerHasNoWgQuickFile() {
    var r = cluster.run("showconf", "mesh-node-1");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: WireGuardPeer \"mesh-node-1\" is the peer of node node-1: showconf is for"
                + " external peers (those with spec.publicKey)\n");
  }

  @Test
  void anUnknownPeer() {
    var r = cluster.run("showconf", "nobody");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: WireGuardPeer \"nobody\" not found\n");
  }

  @Test
  void aPeerWithoutItsFileYet() throws Exception {
    try (var empty = new FixtureCluster(true, false)) {
      empty.load(Path.of("src/test/resources/fixture/mesh.yaml"));
      var p =
          empty
              .client
              .resources(dev.wiremesh.api.crd.v1alpha1.WireGuardPeer.class)
              .withName("laptop-alice")
              .get();
      p.getStatus().setConfigSecretRef(null);
      empty.client.resource(p).updateStatus();
      var r = empty.run("showconf", "laptop-alice");
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err())
          .startsWith(
              "error: WireGuardPeer \"laptop-alice\" has no configuration yet"
                  + " (status.configSecretRef is empty)");
    }
  }

  @Test
  void thePeerIsRequired() {
    var r = cluster.run("showconf");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: Missing required parameter: 'PEER'\n"
                + "See 'kubectl wiremesh showconf --help' for usage.\n");
  }
}
