package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerSpec;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.operator.reconcile.ExternalConfigSecrets;
import dev.wiremesh.planner.topology.WgQuickConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The end-to-end scenarios, written once for any {@link MeshUnderTest}: they build on each other
 * (one cluster for the whole class), in order. The mesh is crds/examples/mesh.yaml: IPv4 and IPv6
 * tunnel addresses, node-1 the gateway for external peers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class MeshScenarios {

  static final Duration UP = Duration.ofSeconds(120);

  protected abstract MeshUnderTest mesh();

  @Test
  @Order(1)
  void everyNodeReachesEveryOtherAndNothingFlapsOverAReconcilePeriod() throws Exception {
    PingMatrix first = mesh().awaitUp(UP);
    assertThat(first.complete()).as(first.render()).isTrue();
    int n = mesh().nodes().size();
    assertThat(first.result()).hasSize(n * (n - 1) * 2); // IPv4 and IPv6 to every other node

    Map<String, Double> applies = applies();
    Map<String, String> addresses = addresses();
    // Over a whole reconcile period and more, checked every second: nothing changes.
    await()
        .during(mesh().resync().plusSeconds(2))
        .atMost(mesh().resync().plusSeconds(10))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(applies()).as("no agent was given a new configuration").isEqualTo(applies);
              assertThat(addresses()).as("no address moved").isEqualTo(addresses);
            });

    PingMatrix again = mesh().pingMatrix();
    assertThat(again.complete()).as(again.render()).isTrue();
    assertThat(applies()).as("no agent was given a new configuration").isEqualTo(applies);
    assertThat(addresses()).as("no address moved").isEqualTo(addresses);
  }

  @Test
  @Order(2)
  void aNodeJoinsAndTheMatrixGrows() throws Exception {
    int before = mesh().nodes().size();
    String joined = mesh().addNode();
    PingMatrix m = mesh().awaitUp(UP);
    assertThat(mesh().nodes()).hasSize(before + 1).contains(joined);
    assertThat(m.result()).hasSize((before + 1) * before * 2);
    assertThat(m.result().keySet().stream().filter(c -> c.source().equals(joined))).isNotEmpty();
    assertThat(m.complete()).as(m.render()).isTrue();
  }

  @Test
  @Order(3)
  void aNodeLeavesAndItsPeerDisappearsFromEveryAgent() throws Exception {
    String leaving = mesh().nodes().getLast();
    String key = peerOfNode(leaving).getStatus().getPublicKey();
    assertThat(key).isNotBlank();
    mesh().removeNode(leaving);

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(peerOfNodeOrNull(leaving)).as("its WireGuardPeer").isNull();
              for (String node : mesh().nodes()) {
                assertThat(mesh().agentPeers(node)).as("peers on " + node).doesNotContain(key);
              }
            });
    PingMatrix m = mesh().awaitUp(UP);
    assertThat(m.result().keySet().stream().noneMatch(c -> c.source().equals(leaving))).isTrue();
  }

  @Test
  @Order(4)
  void anAgentRestartsAndTrafficResumesWithinTwoSecondsOfReadiness() throws Exception {
    List<String> nodes = mesh().nodes();
    String restarted = nodes.get(1);
    String from = nodes.get(0);
    String address = ipv4Of(restarted);
    assertThat(mesh().ping(from, address)).isTrue();

    mesh().killAgent(restarted);
    mesh().startAgent(restarted);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> mesh().agentReady(restarted));
    Instant ready = Instant.now();
    Instant answered = null;
    while (Duration.between(ready, Instant.now()).toSeconds() < 10) {
      if (mesh().ping(from, address)) {
        answered = Instant.now();
        break;
      }
    }
    assertThat(answered).as("an echo from %s after its agent restarted", restarted).isNotNull();
    System.out.printf(
        "agent restart on %s: traffic %d ms after readiness%n",
        restarted, Duration.between(ready, answered).toMillis());
    assertThat(Duration.between(ready, answered)).isLessThan(Duration.ofSeconds(2));
    assertThat(mesh().awaitUp(UP).complete()).isTrue();
  }

  @Test
  @Order(5)
  void withTheOperatorStoppedTheDataPlaneKeepsWorkingAndChangesApplyWhenItReturns()
      throws Exception {
    mesh().stopOperator();
    PingMatrix m = mesh().pingMatrix();
    assertThat(m.complete()).as(m.render()).isTrue();

    // A change made meanwhile: an external peer joins.
    external = mesh().externalHost();
    externalKey = X25519Keys.generate();
    WireGuardPeer peer = new WireGuardPeer();
    peer.setMetadata(new ObjectMetaBuilder().withName(EXTERNAL).build());
    peer.setSpec(externalSpec(externalKey.publicKey()));
    mesh().client().resource(peer).create();
    String gateway = mesh().nodes().getFirst();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(mesh().agentPeers(gateway))
                    .as("nothing is applied while the operator is away")
                    .doesNotContain(externalKey.publicKey()));

    mesh().startOperator();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> mesh().agentPeers(gateway).contains(externalKey.publicKey()));
    assertThat(mesh().pingMatrix().complete()).isTrue();
  }

  @Test
  @Order(6)
  void anExternalPeerWithItsOwnKeyAndTheGeneratedConfigReachesEveryNode() throws Exception {
    assertThat(external).as("set up by the previous scenario").isNotNull();
    Secret secret =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    mesh()
                        .client()
                        .secrets()
                        .inNamespace("wiremesh-system")
                        .withName(ExternalConfigSecrets.secretName(EXTERNAL))
                        .get(),
                Objects::nonNull);
    String config =
        new String(
            Base64.getDecoder().decode(secret.getData().get(ExternalConfigSecrets.KEY)),
            StandardCharsets.UTF_8);
    assertThat(config).contains(WgQuickConfig.PRIVATE_KEY_PLACEHOLDER);
    // The user's step: their own private key goes where the file says.
    external.up(config.replace(WgQuickConfig.PRIVATE_KEY_PLACEHOLDER, externalKey.privateKey()));

    for (String node : mesh().nodes()) {
      for (String address : addressesOf(node)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> external.ping(address));
      }
    }
    external.down();
  }

  static final String EXTERNAL = "site-e2e";
  static MeshUnderTest.ExternalHost external;
  static X25519Keys externalKey;

  static WireGuardPeerSpec externalSpec(String publicKey) {
    WireGuardPeerSpec spec = new WireGuardPeerSpec();
    spec.setMesh("mesh");
    spec.setPublicKey(publicKey);
    spec.setPersistentKeepalive(5);
    return spec;
  }

  /** A WireGuard key pair from the JDK's X25519 (raw 32-byte keys, base64 as wg prints them). */
  record X25519Keys(String privateKey, String publicKey) {
    static X25519Keys generate() throws Exception {
      var kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] pkcs8 = kp.getPrivate().getEncoded();
      byte[] x509 = kp.getPublic().getEncoded();
      byte[] priv = java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
      byte[] pub = java.util.Arrays.copyOfRange(x509, x509.length - 32, x509.length);
      return new X25519Keys(
          Base64.getEncoder().encodeToString(priv), Base64.getEncoder().encodeToString(pub));
    }
  }

  Map<String, Double> applies() {
    Map<String, Double> out = new HashMap<>();
    for (String node : mesh().nodes()) {
      out.put(node, mesh().configApplies(node));
    }
    return out;
  }

  Map<String, String> addresses() {
    return mesh().client().resources(WireGuardPeer.class).list().getItems().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getAddress() != null)
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getStatus().getAddress()));
  }

  WireGuardPeer peerOfNodeOrNull(String node) {
    return mesh().client().resources(WireGuardPeer.class).list().getItems().stream()
        .filter(p -> node.equals(p.getSpec().getNode()))
        .findFirst()
        .orElse(null);
  }

  WireGuardPeer peerOfNode(String node) {
    WireGuardPeer p = peerOfNodeOrNull(node);
    assertThat(p).as("the WireGuardPeer of " + node).isNotNull();
    return p;
  }

  List<String> addressesOf(String node) {
    return peerOfNode(node).getStatus().getAddresses();
  }

  String ipv4Of(String node) {
    return addressesOf(node).stream().filter(a -> !a.contains(":")).findFirst().orElseThrow();
  }
}
