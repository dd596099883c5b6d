package dev.wiremesh.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.KeyRotationSpec;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshSpec;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.agent.FakeAgent;
import dev.wiremesh.operator.agent.FakeKeyRotation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Key rotations driven by the operator against agents faked over HTTPS that take the rotation steps
 * as the real agent does: on demand through every phase, across a restart of the operator in the
 * middle of one, and with agents away. Each scenario has its own mesh and nodes.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyRotationReconcilerTest {

  static final Duration CONVERGE = Duration.ofSeconds(30);

  @Inject KubernetesClient client;
  @Inject AgentBeans agentBeans;
  @Inject MeshSync meshSync;
  @KubernetesTestServer KubernetesServer server;

  TestCluster cluster;

  @BeforeAll
  void cluster() {
    cluster = new TestCluster(client);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aNodeKeyRotatesOnDemandAndEveryOtherAgentReKeysItInPlace() throws Exception {
    List<FakeAgent> n = mesh("rot", "10.41.0.0/24", 121);
    FakeAgent b = n.get(1);
    String old = b.keyRotation().publicKey();

    annotate("rot-rot-b", "1");
    KeyRotationStatus done = awaitRotation("rot-rot-b", KeyRotationReconcilerTest::finished);

    FakeKeyRotation keys = b.keyRotation();
    assertThat(keys.taken()).containsExactly("prepare", "commit", "finish");
    assertThat(done.getNextPublicKey()).isEqualTo(keys.publicKey()).isNotEqualTo(old);
    assertThat(done.getRequested()).isEqualTo("1");
    assertThat(peer("rot-rot-b").getStatus().getPublicKey()).isEqualTo(keys.publicKey());
    assertThat(keys.previousPublicKey()).as("the old key dropped on the node").isNull();
    for (FakeAgent other : List.of(n.get(0), n.get(2))) {
      assertThat(other.peerKeys()).contains(keys.publicKey()).doesNotContain(old);
      assertThat(other.writes())
          .as("%s was given b's new key marked with the old one: re-keyed in place", other.node())
          .anyMatch(
              w ->
                  w.body().contains("\"previousPublicKey\":\"" + old + "\"")
                      && w.body().contains(keys.publicKey()));
    }
    assertThat(eventReasons("rot-rot-b"))
        .containsExactlyInAnyOrder(
            "KeyRotationStarted", "KeyRotationCompleted", "PreviousKeyDropped");
  }

  /**
   * The operator stops while node b's key is being distributed (node c's agent does not take it)
   * and the answer to a step is lost on the way, as when the operator is killed between taking a
   * step and recording it; it comes back with nothing in memory, resumes from the recorded status
   * and the agents, and completes the same rotation: no second key, no second start.
   */
  @Test
  void anOperatorRestartedWhileAKeyIsDistributedCompletesTheSameRotation() throws Exception {
    List<FakeAgent> n = mesh("rotstop", "10.42.0.0/24", 124);
    FakeAgent b = n.get(1);
    FakeAgent c = n.get(2);
    String old = b.keyRotation().publicKey();

    c.down(); // its Pod stays Ready: pushes to it fail
    annotate("rotstop-rotstop-b", "1");
    KeyRotationStatus held =
        awaitRotation(
            "rotstop-rotstop-b",
            r ->
                KeyRotationStatus.DISTRIBUTING.equals(r.getPhase())
                    && List.of("rotstop-rotstop-c").equals(r.getPeersOnPreviousKey()));
    String next = held.getNextPublicKey();
    assertThat(next).isEqualTo(b.keyRotation().nextPublicKey());
    assertThat(held.getReason())
        .isEqualTo("waiting for node peer(s) [rotstop-rotstop-c] to take the new key");
    assertThat(b.keyRotation().taken()).containsExactly("prepare");
    assertThat(n.get(0).peerKeys()).as("a has b's next key already").contains(next);

    // The commit will be taken, its answer lost; then the operator restarts, memory gone.
    b.keyRotation().loseTheNextAnswer();
    agentBeans.reset();
    meshSync.reset();
    c.up();
    KeyRotationStatus done =
        awaitRotation("rotstop-rotstop-b", KeyRotationReconcilerTest::finished);

    assertThat(done.getNextPublicKey()).isEqualTo(next);
    assertThat(b.keyRotation().publicKey()).isEqualTo(next);
    assertThat(b.keyRotation().steps())
        .extracting(FakeKeyRotation.Step::action, FakeKeyRotation.Step::code)
        .as("the lost commit asked again (a no-op on the agent), then finished")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("prepare", 200),
            org.assertj.core.groups.Tuple.tuple("commit", 503),
            org.assertj.core.groups.Tuple.tuple("commit", 200),
            org.assertj.core.groups.Tuple.tuple("finish", 200));
    assertThat(c.peerKeys()).contains(next).doesNotContain(old);
    assertThat(eventReasons("rotstop-rotstop-b"))
        .as("one rotation")
        .containsOnlyOnce("KeyRotationStarted")
        .doesNotContain("KeyRotationFailed");
  }

  /**
   * The operator dies once the agent took the prepare step and the start was told (the Event),
   * before the phase is recorded: here the status writes that would record it fail, as a killed
   * operator's never happen. The next passes ask the agent to prepare again (a no-op: the same next
   * key) and record the start: one rotation, one KeyRotationStarted Event.
   */
  @Test
  void aStartWhoseRecordIsLostIsTakenUpAgainWithOneStartedEvent() throws Exception {
    List<FakeAgent> n = mesh("rotdup", "10.44.0.0/24", 130);
    FakeAgent b = n.get(1);
    String old = b.keyRotation().publicKey();
    // b's status settled (no write for longer than a resync), so that the failing writes below are
    // the rotation's.
    await()
        .atMost(CONVERGE)
        .until(
            () -> {
              String version = peer("rotdup-rotdup-b").getMetadata().getResourceVersion();
              try {
                await()
                    .during(Duration.ofMillis(2500))
                    .atMost(Duration.ofSeconds(4))
                    .until(
                        () ->
                            version.equals(
                                peer("rotdup-rotdup-b").getMetadata().getResourceVersion()));
                return true;
              } catch (org.awaitility.core.ConditionTimeoutException e) {
                return false;
              }
            });
    server
        .expect()
        .patch()
        .withPath("/apis/wiremesh.dev/v1alpha1/wireguardpeers/rotdup-rotdup-b/status")
        .andReturn(
            422,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"Invalid\",\"code\":422}")
        .times(2);

    annotate("rotdup-rotdup-b", "1");
    KeyRotationStatus done = awaitRotation("rotdup-rotdup-b", KeyRotationReconcilerTest::finished);

    FakeKeyRotation keys = b.keyRotation();
    assertThat(keys.taken())
        .as("the prepare asked again after its record was lost")
        .startsWith("prepare", "prepare")
        .endsWith("commit", "finish");
    assertThat(done.getNextPublicKey()).isEqualTo(keys.publicKey()).isNotEqualTo(old);
    assertThat(eventReasons("rotdup-rotdup-b"))
        .containsExactlyInAnyOrder(
            "KeyRotationStarted", "KeyRotationCompleted", "PreviousKeyDropped");
  }

  /**
   * A node whose agent is away when its rotation is asked for waits in Pending, saying so, and
   * rotates when its agent is back; a node whose agent is away while another node's key moves does
   * not hold up the commit, keeps the rotating node under its old key (still answered), and is
   * re-keyed in place when it returns, after which the old key goes.
   */
  @Test
  void aRotationWaitsForItsAwayAgentAndANodeAwayMeanwhileCatchesUpWhenItReturns() throws Exception {
    List<FakeAgent> n = mesh("rotaway", "10.43.0.0/24", 127);
    FakeAgent q = n.get(1);
    FakeAgent r = n.get(2);
    String old = q.keyRotation().publicKey();

    deleteAgentPod("rotaway-b");
    deleteAgentPod("rotaway-c");
    annotate("rotaway-rotaway-b", "1");
    KeyRotationStatus pending =
        awaitRotation("rotaway-rotaway-b", s -> KeyRotationStatus.PENDING.equals(s.getPhase()));
    assertThat(pending.getReason()).isEqualTo("waiting for the agent on node rotaway-b");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(q.keyRotation().steps()).isEmpty());

    restoreAgentPod(q);
    KeyRotationStatus committed =
        awaitRotation(
            "rotaway-rotaway-b",
            s ->
                KeyRotationStatus.COMPLETED.equals(s.getPhase())
                    && s.getPreviousPublicKey() != null);
    String next = committed.getNextPublicKey();
    assertThat(committed.getPeersOnPreviousKey()).containsExactly("rotaway-rotaway-c");
    assertThat(q.keyRotation().publicKey()).isEqualTo(next);
    assertThat(q.keyRotation().previousPublicKey())
        .as("still answered for r, which knows only the old key")
        .isEqualTo(old);
    assertThat(r.peerKeys()).contains(old).doesNotContain(next);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(q.keyRotation().taken()).containsExactly("prepare", "commit"));

    r.clearWrites();
    restoreAgentPod(r);
    awaitRotation("rotaway-rotaway-b", KeyRotationReconcilerTest::finished);
    assertThat(r.peerKeys()).contains(next).doesNotContain(old);
    assertThat(r.writes())
        .as("r re-keyed q in place")
        .anyMatch(w -> w.body().contains("\"previousPublicKey\":\"" + old + "\""));
    assertThat(q.keyRotation().previousPublicKey()).isNull();
    assertThat(q.keyRotation().taken()).containsExactly("prepare", "commit", "finish");
  }

  /** A mesh of three nodes ({@code name}-a, -b, -c), converged; their agents. */
  List<FakeAgent> mesh(String name, String pool, int firstIndex) throws Exception {
    WireGuardMesh mesh = new WireGuardMesh();
    mesh.setMetadata(new ObjectMetaBuilder().withName(name).build());
    WireGuardMeshSpec spec = new WireGuardMeshSpec();
    spec.setAddressPools(List.of(pool));
    spec.setNodeSelector(new LabelSelectorBuilder().addToMatchLabels("mesh", name).build());
    mesh.setSpec(spec);
    client.resource(mesh).create();
    List<FakeAgent> agents = new java.util.ArrayList<>();
    for (String s : List.of("a", "b", "c")) {
      agents.add(cluster.addNode(name + "-" + s, Map.of("mesh", name), firstIndex + agents.size()));
    }
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              for (FakeAgent a : agents) {
                List<String> others =
                    agents.stream()
                        .filter(o -> o != a)
                        .map(o -> o.keyRotation().publicKey())
                        .toList();
                assertThat(a.peerKeys()).as(a.node()).containsAll(others);
              }
            });
    return agents;
  }

  static boolean finished(KeyRotationStatus r) {
    return KeyRotationStatus.COMPLETED.equals(r.getPhase()) && r.getPreviousPublicKey() == null;
  }

  WireGuardPeer peer(String name) {
    return client.resources(WireGuardPeer.class).withName(name).get();
  }

  KeyRotationStatus awaitRotation(String peer, Predicate<KeyRotationStatus> until) {
    return await()
        .atMost(CONVERGE)
        .until(
            () -> {
              WireGuardPeer p = peer(peer);
              return p == null || p.getStatus() == null ? null : p.getStatus().getKeyRotation();
            },
            r -> r != null && until.test(r));
  }

  /**
   * Sets the rotate-key annotation with a merge patch: it carries no resourceVersion, so the
   * operator's concurrent status writes cannot make it fail with a conflict.
   */
  void annotate(String peer, String value) {
    client
        .resources(WireGuardPeer.class)
        .withName(peer)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\""
                + KeyRotationSpec.ROTATE_KEY_ANNOTATION
                + "\":\""
                + value
                + "\"}}}");
  }

  void deleteAgentPod(String node) {
    client.pods().inNamespace(TestCluster.NAMESPACE).withName("agent-" + node).delete();
  }

  void restoreAgentPod(FakeAgent agent) {
    client
        .pods()
        .inNamespace(TestCluster.NAMESPACE)
        .resource(TestCluster.agentPod(agent.node(), agent.port()))
        .create();
  }

  List<String> eventReasons(String peer) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> peer.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason)
        .toList();
  }
}
