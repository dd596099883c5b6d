package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.KeyRotationSpec;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
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

  /**
   * Node-2's key rotates on demand while every node pings every other at 20 packets/s over IPv4 and
   * IPv6: not one ping is lost; afterwards the stock wg shows the new key on node-2 and for node-2
   * on every other node, the old key file is gone, and Events tell the story.
   */
  @Test
  @Order(9)
  void aNodeKeyRotatesOnDemandWithoutLosingAPing() throws Exception {
    List<String> nodes = mesh().nodes();
    String rotated = nodes.get(1);
    String peerName = peerOfNode(rotated).getMetadata().getName();
    String oldKey = peerOfNode(rotated).getStatus().getPublicKey();
    int count = 20 * 20; // 20 s at 20 packets/s
    Map<String, java.util.concurrent.Future<PingMatrix.Flow>> flows = new java.util.TreeMap<>();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (String from : nodes) {
        for (String to : nodes) {
          if (!to.equals(from)) {
            for (String address : addressesOf(to)) {
              flows.put(
                  from + " -> " + address,
                  pool.submit(() -> mesh().pingFlow(from, address, count, 50)));
            }
          }
        }
      }
      Thread.sleep(1000); // the flows are under way before the rotation starts
      rotateOnDemand(peerName, "e2e-1");
      var done = awaitRotated(peerName, Duration.ofSeconds(15));
      assertThat(done.getPhase()).isEqualTo(KeyRotationStatus.COMPLETED);
      for (var f : flows.entrySet()) {
        PingMatrix.Flow flow = f.getValue().get();
        assertThat(flow.transmitted()).as(f.getKey()).isEqualTo(count);
        assertThat(flow.received()).as(f.getKey() + ": pings lost").isEqualTo(count);
      }
    }
    String newKey = peerOfNode(rotated).getStatus().getPublicKey();
    assertThat(newKey).isNotEqualTo(oldKey);
    assertEveryNodeOnTheNewKey(rotated, oldKey, newKey);
    assertThat(eventReasons(peerName)).contains("KeyRotationStarted", "KeyRotationCompleted");

    // The same value again does nothing.
    rotateOnDemand(peerName, "e2e-1");
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .untilAsserted(
            () -> assertThat(peerOfNode(rotated).getStatus().getPublicKey()).isEqualTo(newKey));

    // Restarted, node-2's agent holds only the new key: new handshakes with every node use it.
    mesh().killAgent(rotated);
    mesh().startAgent(rotated);
    await().atMost(Duration.ofSeconds(60)).until(() -> mesh().agentReady(rotated));
    assertThat(mesh().wgPublicKey(rotated)).isEqualTo(newKey);
    assertThat(mesh().awaitUp(UP).complete()).isTrue();
  }

  /**
   * The gateway's key rotates while an external peer (wireguard-go, its generated wg-quick file) is
   * connected: its config Secret has the new key at once, it keeps its tunnel with its old config
   * through the grace period (listed as still on the previous key), moves over when its config is
   * refreshed from the Secret, and the old key goes when the grace period ends.
   */
  @Test
  @Order(10)
  void theGatewayRotatesAndAnExternalPeerKeepsItsTunnelThroughTheGracePeriod() throws Exception {
    String gateway = mesh().nodes().getFirst();
    String gatewayPeer = peerOfNode(gateway).getMetadata().getName();
    String oldKey = peerOfNode(gateway).getStatus().getPublicKey();
    editKeyRotation(k -> k.setExternalGracePeriod("25s"));
    if (external == null) {
      external = mesh().externalHost();
    }
    X25519Keys siteKey = X25519Keys.generate();
    WireGuardPeer site = new WireGuardPeer();
    site.setMetadata(new ObjectMetaBuilder().withName(ROTATING_SITE).build());
    site.setSpec(externalSpec(siteKey.publicKey()));
    mesh().client().resource(site).create();
    String before = awaitSiteConfig(c -> c.contains(oldKey));
    external.up(before.replace(WgQuickConfig.PRIVATE_KEY_PLACEHOLDER, siteKey.privateKey()));
    String gatewayAddress = ipv4Of(gateway);
    await().atMost(Duration.ofSeconds(20)).until(() -> external.ping(gatewayAddress));

    rotateOnDemand(gatewayPeer, "e2e-gateway");
    KeyRotationStatus inGrace =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> peerOfNode(gateway).getStatus().getKeyRotation(),
                r ->
                    r != null
                        && KeyRotationStatus.COMPLETED.equals(r.getPhase())
                        && r.getPreviousPublicKey() != null);
    String newKey = inGrace.getNextPublicKey();
    assertThat(inGrace.getPeersOnPreviousKey()).contains(ROTATING_SITE);
    assertThat(inGrace.getPreviousKeyExpiresTime()).isNotNull();
    // The Secret has the new key at once; the site, on its old config, still gets through.
    String refreshed = awaitSiteConfig(c -> c.contains(newKey) && !c.contains(oldKey));
    assertThat(external.ping(gatewayAddress)).as("the old config during the grace").isTrue();
    assertThat(mesh().agentKeyFiles(gateway)).containsExactly("previous.key", "private.key");

    // Refreshed from the Secret, the site handshakes with the new key.
    external.down();
    external.up(refreshed.replace(WgQuickConfig.PRIVATE_KEY_PLACEHOLDER, siteKey.privateKey()));
    for (String node : mesh().nodes()) {
      for (String address : addressesOf(node)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> external.ping(address));
      }
    }
    // The grace period ends: the previous key is dropped, its file deleted.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> peerOfNode(gateway).getStatus().getKeyRotation().getPreviousPublicKey() == null);
    assertThat(mesh().agentKeyFiles(gateway)).containsExactly("private.key");
    assertThat(mesh().wgPublicKey(gateway)).isEqualTo(newKey);
    assertThat(external.ping(gatewayAddress)).isTrue();
    external.down();
    mesh().client().resources(WireGuardPeer.class).withName(ROTATING_SITE).delete();
  }

  /**
   * A rotation with the rotating node's agent killed (SIGKILL) while it is under way: it resumes
   * from the agent's disk and the operator's record, and completes with the mesh whole.
   */
  @Test
  @Order(12)
  void aRotationWhoseAgentIsKilledMidwayCompletes() throws Exception {
    String rotated = mesh().nodes().getLast();
    String peerName = peerOfNode(rotated).getMetadata().getName();
    String oldKey = peerOfNode(rotated).getStatus().getPublicKey();
    rotateOnDemand(peerName, "e2e-killed");
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> mesh().agentKeyFiles(rotated).contains("next.key"));
    mesh().killAgent(rotated);
    mesh().startAgent(rotated);
    awaitRotated(peerName, Duration.ofSeconds(60));
    String newKey = peerOfNode(rotated).getStatus().getPublicKey();
    assertThat(newKey).isNotEqualTo(oldKey);
    assertEveryNodeOnTheNewKey(rotated, oldKey, newKey);
    assertThat(mesh().awaitUp(UP).complete()).isTrue();
  }

  /**
   * A rotation asked for while the node's agent is down waits in Pending and says why, and runs
   * when the agent is back. The operator, killed (SIGKILL) as soon as the new key is being
   * distributed, resumes that same rotation when it returns: one start, one new key. A node whose
   * agent was down meanwhile comes back (while the operator is still away) with the rotating node
   * under its old key, which is still answered, so its tunnel works at once; it is re-keyed in
   * place when the operator returns, and only then is the old key dropped.
   */
  @Test
  @Order(11)
  void aRotationWaitsForAwayAgentsAndResumesAfterTheOperatorIsKilledWhileDistributing()
      throws Exception {
    List<String> nodes = mesh().nodes();
    String rotated = nodes.get(1);
    String away = nodes.getLast();
    String peerName = peerOfNode(rotated).getMetadata().getName();
    String oldKey = peerOfNode(rotated).getStatus().getPublicKey();
    String rotatedAddress = ipv4Of(rotated);
    long startsBefore = count(eventReasons(peerName), "KeyRotationStarted");

    mesh().killAgent(away);
    mesh().killAgent(rotated);
    rotateOnDemand(peerName, "e2e-away");
    // Pending, and once the agent's Pod is seen down (a step sent before fails and is retried),
    // waiting for it.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              KeyRotationStatus r = rotationOf(peerName);
              assertThat(r).isNotNull();
              assertThat(r.getRequested()).isEqualTo("e2e-away");
              assertThat(r.getPhase()).isEqualTo(KeyRotationStatus.PENDING);
              assertThat(r.getReason()).isEqualTo("waiting for the agent on node " + rotated);
            });

    // The agent returns; the operator is killed the moment it records the key's distribution.
    var started = new java.util.concurrent.CompletableFuture<KeyRotationStatus>();
    KeyRotationStatus atKill;
    try (var watch =
        mesh()
            .client()
            .resources(WireGuardPeer.class)
            .watch(
                new io.fabric8.kubernetes.client.Watcher<WireGuardPeer>() {
                  @Override
                  public void eventReceived(Action action, WireGuardPeer p) {
                    KeyRotationStatus r =
                        p.getStatus() == null ? null : p.getStatus().getKeyRotation();
                    if (peerName.equals(p.getMetadata().getName())
                        && r != null
                        && "e2e-away".equals(r.getRequested())
                        && !KeyRotationStatus.PENDING.equals(r.getPhase())) {
                      started.complete(r);
                    }
                  }

                  @Override
                  public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
                })) {
      mesh().startAgent(rotated);
      started.get(90, java.util.concurrent.TimeUnit.SECONDS);
      mesh().killOperator();
      atKill = rotationOf(peerName);
    }
    String newKey = atKill.getNextPublicKey();
    System.out.printf(
        "operator killed with %s's rotation recorded as %s (%s)%n",
        rotated, atKill.getPhase(), atKill.getReason());
    assertThat(atKill.getPhase()).isNotEqualTo(KeyRotationStatus.FAILED);

    // The node that was away returns while the operator is still away: its tunnel to the
    // rotating node works on the old key, which that node still answers.
    mesh().startAgent(away);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> mesh().agentReady(away));
    assertThat(mesh().agentPeers(away)).as("peers on " + away).contains(oldKey);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> mesh().ping(away, rotatedAddress));

    mesh().startOperator();
    KeyRotationStatus done = awaitRotated(peerName, Duration.ofSeconds(120));
    assertThat(done.getRequested()).isEqualTo("e2e-away");
    assertThat(done.getNextPublicKey()).as("the same rotation, resumed").isEqualTo(newKey);
    assertThat(count(eventReasons(peerName), "KeyRotationStarted"))
        .as("no second rotation started")
        .isEqualTo(startsBefore + 1);
    assertThat(peerOfNode(rotated).getStatus().getPublicKey()).isEqualTo(newKey);
    assertEveryNodeOnTheNewKey(rotated, oldKey, newKey);
    for (String node : nodes) {
      KeyRotationStatus r = peerOfNode(node).getStatus().getKeyRotation();
      assertThat(r == null ? null : r.getPhase())
          .as("no node stuck mid-rotation: " + node)
          .isNotIn(KeyRotationStatus.PENDING, KeyRotationStatus.DISTRIBUTING);
    }
    assertThat(mesh().awaitUp(UP).complete()).isTrue();
  }

  /** A short interval rotates every node once, one at a time. */
  @Test
  @Order(13)
  void aScheduledRotationRotatesEveryNodeOnceOneAtATime() throws Exception {
    Instant start = Instant.now();
    Map<String, String> keys = new HashMap<>();
    for (String node : mesh().nodes()) {
      keys.put(node, peerOfNode(node).getStatus().getPublicKey());
    }
    // A node is due a minute after its last rotation: the ones rotated by the scenarios before
    // within the minute, the others at once.
    setInterval("1m");
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                for (String node : mesh().nodes()) {
                  KeyRotationStatus r = peerOfNode(node).getStatus().getKeyRotation();
                  assertThat(r).as(node).isNotNull();
                  assertThat(r.getLastCompletedTime()).as(node).isNotNull();
                  assertThat(Instant.parse(r.getLastCompletedTime())).as(node).isAfter(start);
                }
              });
    } finally {
      setInterval(null);
    }
    // The schedule off, what is under way finishes: a gateway keeps its old key for its grace
    // period, and a node may have become due again meanwhile (the interval is that short).
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              for (String node : mesh().nodes()) {
                KeyRotationStatus r = peerOfNode(node).getStatus().getKeyRotation();
                assertThat(r.getPhase()).as(node).isEqualTo(KeyRotationStatus.COMPLETED);
                assertThat(r.getPreviousPublicKey()).as(node).isNull();
              }
            });
    List<KeyRotationStatus> done =
        mesh().nodes().stream()
            .map(n -> peerOfNode(n).getStatus().getKeyRotation())
            .sorted(java.util.Comparator.comparing(KeyRotationStatus::getStartedTime))
            .toList();
    for (int i = 1; i < done.size(); i++) {
      assertThat(Instant.parse(done.get(i).getStartedTime()))
          .as("one node at a time")
          .isAfterOrEqualTo(Instant.parse(done.get(i - 1).getLastCompletedTime()));
    }
    for (String node : mesh().nodes()) {
      assertThat(peerOfNode(node).getStatus().getKeyRotation().getTrigger()).isEqualTo("Schedule");
      assertThat(peerOfNode(node).getStatus().getPublicKey()).isNotEqualTo(keys.get(node));
    }
    assertThat(mesh().awaitUp(UP).complete()).isTrue();
  }

  static final String ROTATING_SITE = "site-rotation";

  void setInterval(String interval) {
    editKeyRotation(k -> k.setInterval(interval));
  }

  /** Changes the example mesh's spec.keyRotation (created if absent). */
  void editKeyRotation(java.util.function.Consumer<KeyRotationSpec> change) {
    mesh()
        .client()
        .resources(WireGuardMesh.class)
        .withName("mesh")
        .edit(
            m -> {
              KeyRotationSpec k =
                  m.getSpec().getKeyRotation() == null
                      ? new KeyRotationSpec()
                      : m.getSpec().getKeyRotation();
              change.accept(k);
              m.getSpec().setKeyRotation(k);
              return m;
            });
  }

  /**
   * Sets the rotate-key annotation with a merge patch: it carries no resourceVersion, so the
   * operator's concurrent status writes cannot make it fail with a conflict.
   */
  void rotateOnDemand(String peerName, String value) {
    mesh()
        .client()
        .resources(WireGuardPeer.class)
        .withName(peerName)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\""
                + KeyRotationSpec.ROTATE_KEY_ANNOTATION
                + "\":\""
                + value
                + "\"}}}");
  }

  /**
   * The stock wg shows the new key on the rotated node, whose state folder holds no other key file;
   * every other node holds its peer under the new key, not the old.
   */
  void assertEveryNodeOnTheNewKey(String rotated, String oldKey, String newKey) throws Exception {
    assertThat(mesh().wgPublicKey(rotated)).isEqualTo(newKey);
    for (String other : mesh().nodes()) {
      if (!other.equals(rotated)) {
        assertThat(mesh().agentPeers(other))
            .as("peers on " + other)
            .contains(newKey)
            .doesNotContain(oldKey);
      }
    }
    assertThat(mesh().agentKeyFiles(rotated)).containsExactly("private.key");
  }

  KeyRotationStatus rotationOf(String peerName) {
    WireGuardPeer p = mesh().client().resources(WireGuardPeer.class).withName(peerName).get();
    return p.getStatus() == null ? null : p.getStatus().getKeyRotation();
  }

  static long count(List<String> list, String value) {
    return list.stream().filter(value::equals).count();
  }

  /** Waits until the peer's rotation is Completed and its previous key dropped. */
  KeyRotationStatus awaitRotated(String peerName, Duration timeout) {
    return await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> rotationOf(peerName),
            r ->
                r != null
                    && KeyRotationStatus.COMPLETED.equals(r.getPhase())
                    && r.getPreviousPublicKey() == null);
  }

  String awaitSiteConfig(java.util.function.Predicate<String> condition) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Secret secret =
                  mesh()
                      .client()
                      .secrets()
                      .inNamespace("wiremesh-system")
                      .withName(ExternalConfigSecrets.secretName(ROTATING_SITE))
                      .get();
              return secret == null
                  ? ""
                  : new String(
                      Base64.getDecoder().decode(secret.getData().get(ExternalConfigSecrets.KEY)),
                      StandardCharsets.UTF_8);
            },
            condition);
  }

  List<String> eventReasons(String peerName) {
    return mesh().client().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> peerName.equals(e.getInvolvedObject().getName()))
        .map(io.fabric8.kubernetes.api.model.Event::getReason)
        .toList();
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

  /** Every private key {@link X25519Keys#generate} made: none may show in a log or a resource. */
  static final java.util.Set<String> GENERATED_PRIVATE_KEYS =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A WireGuard key pair from the JDK's X25519 (raw 32-byte keys, base64 as wg prints them). */
  record X25519Keys(String privateKey, String publicKey) {
    X25519Keys {
      GENERATED_PRIVATE_KEYS.add(privateKey);
    }

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
