package dev.wiremesh.operator.rotation;

import static dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus.COMPLETED;
import static dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus.DISTRIBUTING;
import static dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus.FAILED;
import static dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus.PENDING;

import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rotation of one node's key, as pure decisions: from what is recorded and what the pass sees,
 * the status to record and the one step to ask of the agent; then, from the agent's answer, the
 * status after it. Every step is idempotent on the agent, so a decision repeated after a restart of
 * the operator or the agent does no harm: the rotation resumes where it stood.
 *
 * <pre>
 *  (none) ──request──▶ Pending ──prepare──▶ Distributing ──commit──▶ Completed ──finish──▶ Completed
 *                         │                      │               (previous key held)   (old key gone)
 *                         └──────────────────────┴──▶ Failed (reason); a new request starts over
 * </pre>
 */
public final class RotationStateMachine {
  public static final String ANNOTATION = "Annotation";
  public static final String SCHEDULE = "Schedule";

  private RotationStateMachine() {}

  /** The status to record now and the step to take on the agent. */
  public record Decision(KeyRotationStatus status, AgentStep step) {}

  /** The status after a step, and the Event to record (null for none). */
  public record Outcome(KeyRotationStatus status, RotationEvent event) {}

  /**
   * An Event on the node's WireGuardPeer.
   *
   * @param occurrence what this Event tells of, the same each time a step is taken again after a
   *     restart (the key started, committed or dropped; the failure): the Event is recorded once
   *     per occurrence
   */
  public record RotationEvent(String reason, String message, boolean warning, String occurrence) {}

  /** The Event of a rotation that failed with {@code reason} (recorded once per attempt). */
  public static RotationEvent failedEvent(KeyRotationStatus st, String reason) {
    return new RotationEvent(
        "KeyRotationFailed", reason, true, attempt(st) + "|" + Objects.toString(reason));
  }

  /**
   * What tells one rotation attempt from another in the status it was decided on: the request it
   * answers and when the former one started. A step taken again after a restart, its outcome not
   * recorded, is decided on the same status.
   */
  private static String attempt(KeyRotationStatus st) {
    return st.getTrigger() + "|" + st.getRequested() + "|" + st.getStartedTime();
  }

  /** True when a rotation of this node is requested and not yet under way. */
  public static boolean requested(NodeView n, MeshView mesh, Instant now) {
    KeyRotationStatus st = n.rotation();
    String phase = n.phase();
    if (PENDING.equals(phase) || DISTRIBUTING.equals(phase)) {
      return false;
    }
    if (n.annotation() != null && !n.annotation().equals(st == null ? null : st.getRequested())) {
      return true;
    }
    return scheduledDue(n, mesh, now);
  }

  private static boolean scheduledDue(NodeView n, MeshView mesh, Instant now) {
    if (mesh.interval() == null) {
      return false;
    }
    KeyRotationStatus st = n.rotation();
    Instant base = n.created() == null ? now : n.created();
    if (st != null) {
      base = latest(base, parse(st.getLastCompletedTime()));
      if (FAILED.equals(st.getPhase())) {
        base = latest(base, parse(st.getStartedTime()));
      }
    }
    return !now.isBefore(base.plus(mesh.interval()));
  }

  /** What to record and do for node {@code n} in this pass. */
  public static Decision decide(NodeView n, MeshView mesh, Instant now) {
    KeyRotationStatus st = n.rotation() == null ? null : n.rotation().copy();
    if (requested(n, mesh, now)) {
      boolean byAnnotation =
          n.annotation() != null && !n.annotation().equals(st == null ? null : st.getRequested());
      if (st == null) {
        st = new KeyRotationStatus();
      }
      st.setPhase(PENDING);
      st.setTrigger(byAnnotation ? ANNOTATION : SCHEDULE);
      if (byAnnotation) {
        st.setRequested(n.annotation());
      }
      st.setReason(null);
    }
    if (st == null) {
      return new Decision(null, new AgentStep.None());
    }
    return switch (Objects.requireNonNullElse(st.getPhase(), "")) {
      case PENDING -> pending(n, mesh, st);
      case DISTRIBUTING -> distributing(n, st);
      case COMPLETED -> completed(n, st, now);
      default -> new Decision(st, new AgentStep.None());
    };
  }

  private static Decision pending(NodeView n, MeshView mesh, KeyRotationStatus st) {
    if (!mesh.withoutRotation().isEmpty()) {
      st.setPhase(FAILED);
      st.setReason(
          "the agents on node(s) "
              + mesh.withoutRotation()
              + " do not support key rotation (capability key-rotation-v1): upgrade them, then"
              + " request the rotation again");
      return new Decision(st, new AgentStep.None());
    }
    if (mesh.distributing() != null && !mesh.distributing().equals(n.peerName())) {
      return waiting(st, "waiting for the rotation of " + mesh.distributing() + " to complete");
    }
    if (mesh.nextInLine() != null && !mesh.nextInLine().equals(n.peerName())) {
      return waiting(st, "waiting for the rotation of " + mesh.nextInLine() + " (one at a time)");
    }
    Identity id = n.identity();
    if (id == null) {
      return waiting(st, "waiting for the agent on node " + n.node());
    }
    if (id.previousPublicKey() != null) {
      // The grace of the former rotation ends now: the agent holds one rotation at a time.
      return new Decision(st, new AgentStep.Finish(id.publicKey()));
    }
    st.setReason(null);
    return new Decision(st, new AgentStep.Prepare());
  }

  private static Decision waiting(KeyRotationStatus st, String reason) {
    st.setReason(reason);
    return new Decision(st, new AgentStep.None());
  }

  private static Decision distributing(NodeView n, KeyRotationStatus st) {
    Identity id = n.identity();
    st.setPeersOnPreviousKey(sorted(n.pendingNodes()));
    if (id == null) {
      st.setReason("waiting for the agent on node " + n.node());
      return new Decision(st, new AgentStep.None());
    }
    String next = st.getNextPublicKey();
    boolean committed = next.equals(id.publicKey());
    if (!committed && !next.equals(id.nextPublicKey())) {
      st.setPhase(FAILED);
      st.setReason(
          "the agent on node "
              + n.node()
              + " no longer holds the key being distributed (its state was lost); request the"
              + " rotation again");
      return new Decision(st, new AgentStep.None());
    }
    List<String> present = new ArrayList<>(n.pendingNodes());
    present.removeAll(n.awayNodes());
    if (!present.isEmpty()) {
      st.setReason("waiting for node peer(s) " + sorted(present) + " to take the new key");
      return new Decision(st, new AgentStep.None());
    }
    st.setReason(null);
    return new Decision(st, new AgentStep.Commit(next));
  }

  private static Decision completed(NodeView n, KeyRotationStatus st, Instant now) {
    if (st.getPreviousPublicKey() == null) {
      return new Decision(st, new AgentStep.None());
    }
    List<String> onPrevious = new ArrayList<>(n.pendingNodes());
    onPrevious.addAll(externalsOnPreviousKey(n, st.getPreviousPublicKey()));
    st.setPeersOnPreviousKey(sorted(onPrevious));
    Instant expires = parse(st.getPreviousKeyExpiresTime());
    boolean graceOver = expires == null || !now.isBefore(expires);
    Identity id = n.identity();
    if (!n.pendingNodes().isEmpty() || !graceOver || id == null) {
      return new Decision(st, new AgentStep.None());
    }
    return new Decision(st, new AgentStep.Finish(st.getNextPublicKey()));
  }

  /** External peers whose last handshake with the node used its previous key. */
  static List<String> externalsOnPreviousKey(NodeView n, String previous) {
    List<String> out = new ArrayList<>();
    if (n.status() == null) {
      return out;
    }
    for (NodeView.ExternalPeer e : n.externalPeers()) {
      for (PeerStatus ps : n.status().peers()) {
        if (ps.publicKey().equals(e.publicKey()) && previous.equals(ps.nodeKeyUsed())) {
          out.add(e.name());
        }
      }
    }
    return out;
  }

  /** The status once the agent took {@code step} and answered {@code id}. */
  public static Outcome afterStep(
      NodeView n, MeshView mesh, KeyRotationStatus st, AgentStep step, Identity id, Instant now) {
    KeyRotationStatus s = st.copy();
    return switch (step) {
      case AgentStep.None none -> new Outcome(s, null);
      case AgentStep.Prepare p -> {
        s.setPhase(DISTRIBUTING);
        s.setPreviousPublicKey(id.publicKey());
        s.setNextPublicKey(id.nextPublicKey());
        s.setStartedTime(now.toString());
        s.setPreviousKeyExpiresTime(null);
        s.setLastCompletedTime(st.getLastCompletedTime());
        s.setPeersOnPreviousKey(sorted(n.pendingNodes()));
        s.setReason(null);
        yield new Outcome(
            s,
            new RotationEvent(
                "KeyRotationStarted",
                "rotating the key of node "
                    + n.node()
                    + " ("
                    + s.getTrigger()
                    + "): distributing "
                    + id.nextPublicKey()
                    + " to replace "
                    + id.publicKey(),
                false,
                attempt(st) + "|" + id.nextPublicKey()));
      }
      case AgentStep.Commit c -> {
        s.setPhase(COMPLETED);
        s.setLastCompletedTime(now.toString());
        s.setReason(null);
        List<String> onPrevious = new ArrayList<>(n.awayNodes());
        if (!n.externalPeers().isEmpty()) {
          s.setPreviousKeyExpiresTime(now.plus(mesh.externalGracePeriod()).toString());
          n.externalPeers().forEach(e -> onPrevious.add(e.name()));
        }
        s.setPeersOnPreviousKey(sorted(onPrevious));
        yield new Outcome(
            s,
            new RotationEvent(
                "KeyRotationCompleted",
                "node "
                    + n.node()
                    + " uses its new key "
                    + c.publicKey()
                    + (s.getPreviousKeyExpiresTime() == null
                        ? ""
                        : "; its previous key is still answered for external peers until "
                            + s.getPreviousKeyExpiresTime()),
                false,
                c.publicKey()));
      }
      case AgentStep.Finish f -> {
        if (!COMPLETED.equals(s.getPhase())) {
          yield new Outcome(s, null); // a former rotation's key dropped before a new one
        }
        String dropped = s.getPreviousPublicKey();
        s.setPreviousPublicKey(null);
        s.setPeersOnPreviousKey(null);
        s.setPreviousKeyExpiresTime(null);
        yield new Outcome(
            s,
            new RotationEvent(
                "PreviousKeyDropped",
                "node " + n.node() + " no longer answers its previous key " + dropped,
                false,
                dropped));
      }
    };
  }

  /** The status after the agent refused or failed {@code step}. */
  public static Outcome afterFailure(KeyRotationStatus st, AgentStep step, String message) {
    KeyRotationStatus s = st.copy();
    if (step instanceof AgentStep.Prepare || step instanceof AgentStep.Commit) {
      s.setPhase(FAILED);
      s.setReason(message);
      return new Outcome(s, failedEvent(st, message));
    }
    s.setReason(message);
    return new Outcome(s, null);
  }

  private static List<String> sorted(List<String> names) {
    if (names == null || names.isEmpty()) {
      return null;
    }
    return names.stream().distinct().sorted().toList();
  }

  private static Instant parse(String time) {
    return time == null ? null : Instant.parse(time);
  }

  private static Instant latest(Instant a, Instant b) {
    return b != null && b.isAfter(a) ? b : a;
  }
}
