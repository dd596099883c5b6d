package dev.wiremesh.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rotation of one node's key through its phases, driven as the operator's passes drive it. */
class RotationStateMachineTest {
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  static final String OLD = "old-key";
  static final String NEXT = "next-key";
  static final Duration GRACE = Duration.ofDays(7);
  static final MeshView ON_DEMAND = new MeshView(null, GRACE, List.of(), null, null);
  static final List<String> CAPS = List.of(Identity.KEY_ROTATION);

  static Identity idle() {
    return new Identity(OLD, 51820, List.of(), null, null, CAPS);
  }

  static Identity prepared() {
    return new Identity(OLD, 51820, List.of(), NEXT, null, CAPS);
  }

  static Identity committed() {
    return new Identity(NEXT, 51820, List.of(), null, OLD, CAPS);
  }

  static NodeView node(KeyRotationStatus st, String annotation, Identity id) {
    return node(st, annotation, id, List.of(), List.of(), List.of(), null);
  }

  static NodeView node(
      KeyRotationStatus st,
      String annotation,
      Identity id,
      List<String> pending,
      List<String> away,
      List<NodeView.ExternalPeer> externals,
      DeviceStatus status) {
    return new NodeView(
        "mesh-node-2", "node-2", st, annotation, T0, id, status, pending, away, externals);
  }

  /** Decides, and when a step is asked for, takes it on an agent that answers {@code answer}. */
  static KeyRotationStatus pass(NodeView n, MeshView mesh, Identity answer, Instant now) {
    var d = RotationStateMachine.decide(n, mesh, now);
    if (d.step() instanceof AgentStep.None) {
      return d.status();
    }
    return RotationStateMachine.afterStep(n, mesh, d.status(), d.step(), answer, now).status();
  }

  @Test
  void anAnnotationRotatesTheKeyThroughEveryPhase() {
    var d = RotationStateMachine.decide(node(null, "1", idle()), ON_DEMAND, T0);
    assertThat(d.step()).isInstanceOf(AgentStep.Prepare.class);
    var started =
        RotationStateMachine.afterStep(
            node(null, "1", idle()), ON_DEMAND, d.status(), d.step(), prepared(), T0);
    KeyRotationStatus st = started.status();
    assertThat(st.getPhase()).isEqualTo(KeyRotationStatus.DISTRIBUTING);
    assertThat(st.getRequested()).isEqualTo("1");
    assertThat(st.getTrigger()).isEqualTo("Annotation");
    assertThat(st.getPreviousPublicKey()).isEqualTo(OLD);
    assertThat(st.getNextPublicKey()).isEqualTo(NEXT);
    assertThat(started.event().reason()).isEqualTo("KeyRotationStarted");

    // Node-3's agent has not taken the new key yet: no commit.
    var waiting =
        RotationStateMachine.decide(
            node(st, "1", prepared(), List.of("mesh-node-3"), List.of(), List.of(), null),
            ON_DEMAND,
            T0);
    assertThat(waiting.step()).isInstanceOf(AgentStep.None.class);
    assertThat(waiting.status().getPeersOnPreviousKey()).containsExactly("mesh-node-3");
    assertThat(waiting.status().getReason()).contains("mesh-node-3");

    // Every node holds it: commit.
    var commit = RotationStateMachine.decide(node(st, "1", prepared()), ON_DEMAND, T0);
    assertThat(commit.step()).isEqualTo(new AgentStep.Commit(NEXT));
    var done =
        RotationStateMachine.afterStep(
            node(st, "1", prepared()),
            ON_DEMAND,
            commit.status(),
            commit.step(),
            committed(),
            T0.plusSeconds(5));
    st = done.status();
    assertThat(st.getPhase()).isEqualTo(KeyRotationStatus.COMPLETED);
    assertThat(st.getLastCompletedTime()).isEqualTo(T0.plusSeconds(5).toString());
    assertThat(st.getPreviousKeyExpiresTime()).as("no external peers: no grace").isNull();
    assertThat(done.event().reason()).isEqualTo("KeyRotationCompleted");

    // No external peers: the previous key goes at once.
    var finish = RotationStateMachine.decide(node(st, "1", committed()), ON_DEMAND, T0);
    assertThat(finish.step()).isEqualTo(new AgentStep.Finish(NEXT));
    st = pass(node(st, "1", committed()), ON_DEMAND, new Identity(NEXT, 51820, List.of()), T0);
    assertThat(st.getPreviousPublicKey()).isNull();
    assertThat(st.getPhase()).isEqualTo(KeyRotationStatus.COMPLETED);

    // The same annotation value again does nothing.
    var again = RotationStateMachine.decide(node(st, "1", idle()), ON_DEMAND, T0);
    assertThat(again.step()).isInstanceOf(AgentStep.None.class);
    assertThat(again.status().getPhase()).isEqualTo(KeyRotationStatus.COMPLETED);
    // A new value starts a new rotation.
    assertThat(RotationStateMachine.decide(node(st, "2", idle()), ON_DEMAND, T0).step())
        .isInstanceOf(AgentStep.Prepare.class);
  }

  @Test
  void aGatewayKeepsItsPreviousKeyForExternalPeersUntilTheGracePeriodEnds() {
    var externals = List.of(new NodeView.ExternalPeer("laptop-alice", "alice-key"));
    KeyRotationStatus st = new KeyRotationStatus();
    st.setPhase(KeyRotationStatus.DISTRIBUTING);
    st.setPreviousPublicKey(OLD);
    st.setNextPublicKey(NEXT);
    st.setRequested("1");
    NodeView n = node(st, "1", prepared(), List.of(), List.of(), externals, null);
    st = pass(n, ON_DEMAND, committed(), T0);
    assertThat(st.getPhase()).isEqualTo(KeyRotationStatus.COMPLETED);
    assertThat(st.getPreviousKeyExpiresTime()).isEqualTo(T0.plus(GRACE).toString());

    // Alice still handshakes with the old key: listed, and the old key stays.
    DeviceStatus status =
        new DeviceStatus(
            "h", NEXT, 51820, List.of(new PeerStatus("alice-key", null, 1, 1, 1, OLD)));
    var during =
        RotationStateMachine.decide(
            node(st, "1", committed(), List.of(), List.of(), externals, status),
            ON_DEMAND,
            T0.plus(Duration.ofDays(1)));
    assertThat(during.step()).isInstanceOf(AgentStep.None.class);
    assertThat(during.status().getPeersOnPreviousKey()).containsExactly("laptop-alice");

    var after =
        RotationStateMachine.decide(
            node(st, "1", committed(), List.of(), List.of(), externals, status),
            ON_DEMAND,
            T0.plus(GRACE));
    assertThat(after.step()).isEqualTo(new AgentStep.Finish(NEXT));
  }

  @Test
  void onlyOneNodeOfAMeshRotatesAtATime() {
    MeshView busy = new MeshView(null, GRACE, List.of(), "mesh-node-1", null);
    var d = RotationStateMachine.decide(node(null, "1", idle()), busy, T0);
    assertThat(d.step()).isInstanceOf(AgentStep.None.class);
    assertThat(d.status().getPhase()).isEqualTo(KeyRotationStatus.PENDING);
    assertThat(d.status().getReason()).contains("mesh-node-1");
    MeshView queued = new MeshView(null, GRACE, List.of(), null, "mesh-node-1");
    assertThat(RotationStateMachine.decide(node(d.status(), "1", idle()), queued, T0).step())
        .isInstanceOf(AgentStep.None.class);
    MeshView turn = new MeshView(null, GRACE, List.of(), null, "mesh-node-2");
    assertThat(RotationStateMachine.decide(node(d.status(), "1", idle()), turn, T0).step())
        .isInstanceOf(AgentStep.Prepare.class);
  }

  @Test
  void theScheduleRotatesAnIntervalAfterTheLastCompletion() {
    MeshView hourly = new MeshView(Duration.ofHours(1), GRACE, List.of(), null, null);
    assertThat(RotationStateMachine.requested(node(null, null, idle()), hourly, T0)).isFalse();
    assertThat(
            RotationStateMachine.requested(
                node(null, null, idle()), hourly, T0.plus(Duration.ofHours(1))))
        .isTrue();
    KeyRotationStatus done = new KeyRotationStatus();
    done.setPhase(KeyRotationStatus.COMPLETED);
    done.setLastCompletedTime(T0.plus(Duration.ofMinutes(70)).toString());
    assertThat(
            RotationStateMachine.requested(
                node(done, null, idle()), hourly, T0.plus(Duration.ofMinutes(100))))
        .isFalse();
    var d =
        RotationStateMachine.decide(
            node(done, null, idle()), hourly, T0.plus(Duration.ofMinutes(130)));
    assertThat(d.step()).isInstanceOf(AgentStep.Prepare.class);
    assertThat(d.status().getTrigger()).isEqualTo("Schedule");
  }

  @Test
  void aMeshWithAnOldAgentFailsClearlyAndNothingIsAskedOfTheAgents() {
    MeshView old = new MeshView(null, GRACE, List.of("node-3"), null, null);
    var d = RotationStateMachine.decide(node(null, "1", idle()), old, T0);
    assertThat(d.step()).isInstanceOf(AgentStep.None.class);
    assertThat(d.status().getPhase()).isEqualTo(KeyRotationStatus.FAILED);
    assertThat(d.status().getReason()).contains("node-3").contains("key-rotation-v1");
  }

  @Test
  void aRestartedOperatorResumesWhereTheAgentStands() {
    KeyRotationStatus st = new KeyRotationStatus();
    st.setPhase(KeyRotationStatus.DISTRIBUTING);
    st.setPreviousPublicKey(OLD);
    st.setNextPublicKey(NEXT);
    st.setRequested("1");
    // The agent committed but the operator stopped before recording it: commit again (a no-op).
    var d = RotationStateMachine.decide(node(st, "1", committed()), ON_DEMAND, T0);
    assertThat(d.step()).isEqualTo(new AgentStep.Commit(NEXT));
    // The agent lost its state: the rotation fails with what to do.
    var lost = RotationStateMachine.decide(node(st, "1", idle()), ON_DEMAND, T0);
    assertThat(lost.status().getPhase()).isEqualTo(KeyRotationStatus.FAILED);
    assertThat(lost.status().getReason()).contains("request the rotation again");
    // The agent is away: wait for it.
    var away = RotationStateMachine.decide(node(st, "1", null), ON_DEMAND, T0);
    assertThat(away.step()).isInstanceOf(AgentStep.None.class);
    assertThat(away.status().getPhase()).isEqualTo(KeyRotationStatus.DISTRIBUTING);
  }

  @Test
  void aNodeWhoseAgentIsAwayDoesNotHoldUpTheCommitButKeepsThePreviousKey() {
    KeyRotationStatus st = new KeyRotationStatus();
    st.setPhase(KeyRotationStatus.DISTRIBUTING);
    st.setPreviousPublicKey(OLD);
    st.setNextPublicKey(NEXT);
    st.setRequested("1");
    List<String> away = List.of("mesh-node-3");
    NodeView n = node(st, "1", prepared(), away, away, List.of(), null);
    var d = RotationStateMachine.decide(n, ON_DEMAND, T0);
    assertThat(d.step()).isEqualTo(new AgentStep.Commit(NEXT));
    st =
        RotationStateMachine.afterStep(n, ON_DEMAND, d.status(), d.step(), committed(), T0)
            .status();
    assertThat(st.getPeersOnPreviousKey()).containsExactly("mesh-node-3");
    var keep =
        RotationStateMachine.decide(
            node(st, "1", committed(), away, away, List.of(), null), ON_DEMAND, T0);
    assertThat(keep.step())
        .as("the away node still knows only the old key")
        .isInstanceOf(AgentStep.None.class);
    var back = RotationStateMachine.decide(node(st, "1", committed()), ON_DEMAND, T0);
    assertThat(back.step()).isEqualTo(new AgentStep.Finish(NEXT));
  }
}
