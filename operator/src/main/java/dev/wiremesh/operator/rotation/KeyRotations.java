package dev.wiremesh.operator.rotation;

import dev.wiremesh.api.agent.AgentApi;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.KeyRotationRequest;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationSpec;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentException;
import dev.wiremesh.operator.agent.AgentHttp;
import dev.wiremesh.operator.agent.PushResult;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The shell around {@link RotationStateMachine}: gathers what a pass saw of every node, takes the
 * steps the state machine decides on the agents ({@code POST /v1/key-rotation}), and records the
 * Events. What it returns goes into the peers' status.keyRotation with the rest of their status.
 */
@ApplicationScoped
public class KeyRotations {
  private static final Logger LOG = Logger.getLogger(KeyRotations.class);

  /** Where Events about cluster-scoped WireGuardPeers go (as kubectl describe looks for them). */
  static final String EVENT_NAMESPACE = "default";

  @Inject KubernetesClient client;
  @Inject Clock clock;

  /** A problem of the mesh's spec.keyRotation, naming the field; null when it is valid. */
  public static String specProblem(WireGuardMesh mesh) {
    KeyRotationSpec k = mesh.getSpec().getKeyRotation();
    if (k == null) {
      return null;
    }
    try {
      if (k.getInterval() != null
          && k.effectiveInterval().compareTo(KeyRotationSpec.MINIMUM_INTERVAL) < 0) {
        return "spec.keyRotation.interval: '"
            + k.getInterval()
            + "' is shorter than the minimum 1m (a duration such as 720h)";
      }
      k.effectiveExternalGracePeriod();
    } catch (IllegalArgumentException e) {
      return "spec.keyRotation: " + e.getMessage();
    }
    return null;
  }

  /**
   * Advances every node's rotation by at most one agent step, and returns each node peer's
   * status.keyRotation (by peer name) after it.
   *
   * @param identity the identity of a present agent (cached or asked)
   * @param remember records the identity an agent answered a step with
   */
  public Map<String, KeyRotationStatus> advance(
      WireGuardMesh mesh,
      List<WireGuardPeer> peers,
      MeshPlan plan,
      Map<String, Agent> agents,
      Map<String, DeviceStatus> statuses,
      Map<String, PushResult> pushes,
      AgentHttp http,
      Function<Agent, Identity> identity,
      BiConsumer<Agent, Identity> remember) {
    Instant now = clock.instant();
    boolean specValid = specProblem(mesh) == null;
    KeyRotationSpec spec = mesh.getSpec().getKeyRotation();
    Duration interval = specValid && spec != null ? spec.effectiveInterval() : null;
    Duration grace =
        specValid && spec != null
            ? spec.effectiveExternalGracePeriod()
            : KeyRotationSpec.DEFAULT_EXTERNAL_GRACE_PERIOD;

    Map<String, String> peerOfNode = new HashMap<>();
    for (WireGuardPeer p : peers) {
      if (!p.getSpec().isExternal()) {
        peerOfNode.put(p.getSpec().getNode(), p.getMetadata().getName());
      }
    }
    List<String> withoutRotation = new ArrayList<>();
    List<NodeView> views = new ArrayList<>();
    for (WireGuardPeer p : peers) {
      if (p.getSpec().isExternal() || p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String node = p.getSpec().getNode();
      Agent agent = agents.get(node);
      Identity id = agent == null ? null : identity.apply(agent);
      if (id != null && !id.supports(Identity.KEY_ROTATION)) {
        withoutRotation.add(node);
      }
      views.add(view(p, node, id, statuses.get(node), plan, agents, pushes, peerOfNode));
    }
    String distributing = null;
    List<NodeView> waiting = new ArrayList<>();
    MeshView probe = new MeshView(interval, grace, List.of(), null, null);
    for (NodeView v : views) {
      if (KeyRotationStatus.DISTRIBUTING.equals(v.phase())) {
        distributing = v.peerName();
      } else if (KeyRotationStatus.PENDING.equals(v.phase())
          || RotationStateMachine.requested(v, probe, now)) {
        waiting.add(v);
      }
    }
    waiting.sort(java.util.Comparator.comparing(NodeView::peerName));
    String nextInLine =
        waiting.stream()
            .filter(v -> v.identity() != null)
            .map(NodeView::peerName)
            .findFirst()
            .orElse(waiting.isEmpty() ? null : waiting.getFirst().peerName());
    MeshView mesh2 =
        new MeshView(interval, grace, List.copyOf(withoutRotation), distributing, nextInLine);

    Map<String, KeyRotationStatus> out = new HashMap<>();
    for (NodeView v : views) {
      var decision = RotationStateMachine.decide(v, mesh2, now);
      KeyRotationStatus st = decision.status();
      if (st == null) {
        continue;
      }
      if (!(decision.step() instanceof AgentStep.None)) {
        Agent agent = agents.get(v.node());
        RotationStateMachine.Outcome o;
        try {
          Identity answered =
              http.post(agent, AgentApi.KEY_ROTATION, request(decision.step()), Identity.class);
          remember.accept(agent, answered);
          o = RotationStateMachine.afterStep(v, mesh2, st, decision.step(), answered, now);
        } catch (AgentException e) {
          LOG.warnf("key rotation of %s: %s", v.node(), e.getMessage());
          if (e.status() / 100 == 4) {
            o = RotationStateMachine.afterFailure(st, decision.step(), e.getMessage());
          } else {
            KeyRotationStatus s = st.copy();
            s.setReason(e.getMessage() + "; retried on the next reconcile");
            o = new RotationStateMachine.Outcome(s, null);
          }
        }
        st = o.status();
        if (o.event() != null) {
          event(peerFor(peers, v.peerName()), o.event(), now);
        }
      } else if (KeyRotationStatus.FAILED.equals(st.getPhase())
          && (v.rotation() == null || !KeyRotationStatus.FAILED.equals(v.rotation().getPhase()))) {
        event(
            peerFor(peers, v.peerName()),
            RotationStateMachine.failedEvent(st, st.getReason()),
            now);
      }
      out.put(v.peerName(), st);
    }
    return out;
  }

  private static NodeView view(
      WireGuardPeer p,
      String node,
      Identity id,
      DeviceStatus status,
      MeshPlan plan,
      Map<String, Agent> agents,
      Map<String, PushResult> pushes,
      Map<String, String> peerOfNode) {
    KeyRotationStatus r = p.getStatus() == null ? null : p.getStatus().getKeyRotation();
    // Other nodes that do not hold this node's rotated key yet: their agent did not take the
    // config planned with it in this pass (away, or the push failed).
    List<String> pending = new ArrayList<>();
    List<String> away = new ArrayList<>();
    boolean rotating =
        r != null
            && r.getNextPublicKey() != null
            && (KeyRotationStatus.DISTRIBUTING.equals(r.getPhase())
                || r.getPreviousPublicKey() != null);
    if (rotating) {
      for (Map.Entry<String, DeviceConfig> e : plan.configs().entrySet()) {
        String other = e.getKey();
        if (other.equals(node)
            || e.getValue().peers().stream()
                .noneMatch(pc -> pc.publicKey().equals(r.getNextPublicKey()))) {
          continue;
        }
        PushResult pr = pushes.get(other);
        if (!(pr instanceof PushResult.Applied || pr instanceof PushResult.Unchanged)) {
          String name = peerOfNode.getOrDefault(other, other);
          pending.add(name);
          if (!agents.containsKey(other)) {
            away.add(name);
          }
        }
      }
    }
    List<NodeView.ExternalPeer> externals = new ArrayList<>();
    PlannedDevice own = plan.devices().get(node);
    if (own != null) {
      for (ExternalMember e : plan.externals().values()) {
        if (own.peers().stream().anyMatch(pp -> pp.publicKey().equals(e.publicKey()))) {
          externals.add(new NodeView.ExternalPeer(e.name(), e.publicKey()));
        }
      }
    }
    String annotation =
        p.getMetadata().getAnnotations() == null
            ? null
            : p.getMetadata().getAnnotations().get(KeyRotationSpec.ROTATE_KEY_ANNOTATION);
    Instant created =
        p.getMetadata().getCreationTimestamp() == null
            ? null
            : Instant.parse(p.getMetadata().getCreationTimestamp());
    return new NodeView(
        p.getMetadata().getName(),
        node,
        r,
        annotation,
        created,
        id,
        status,
        pending,
        away,
        externals);
  }

  private static KeyRotationRequest request(AgentStep step) {
    return switch (step) {
      case AgentStep.Prepare p -> new KeyRotationRequest(KeyRotationRequest.PREPARE, null);
      case AgentStep.Commit c -> new KeyRotationRequest(KeyRotationRequest.COMMIT, c.publicKey());
      case AgentStep.Finish f -> new KeyRotationRequest(KeyRotationRequest.FINISH, f.publicKey());
      case AgentStep.None n -> throw new IllegalArgumentException("no request for None");
    };
  }

  private static WireGuardPeer peerFor(List<WireGuardPeer> peers, String name) {
    return peers.stream()
        .filter(p -> p.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Records the Event once per occurrence: its name is derived from the peer, the reason and the
   * occurrence, so that the same step taken again after the operator died before recording its
   * outcome (or by the replica that took over) finds the Event there (409) and adds none.
   */
  /**
   * {@code <peer>.<16 hex digits of SHA-256(reason, occurrence)>}: a DNS subdomain name as Events
   * need (a peer's name is one; cut to leave room, without a trailing dot or dash).
   */
  static String eventName(String peer, RotationStateMachine.RotationEvent e) {
    String digest;
    try {
      byte[] h =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(
                  (e.reason() + "\n" + e.occurrence())
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      digest = java.util.HexFormat.of().formatHex(h, 0, 8);
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException("SHA-256 is part of every JDK", ex);
    }
    String base = peer.length() > 200 ? peer.substring(0, 200) : peer;
    base = base.replaceAll("[.-]+$", "");
    return base + "." + digest;
  }

  private void event(WireGuardPeer peer, RotationStateMachine.RotationEvent e, Instant now) {
    String time = now.toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(eventName(peer.getMetadata().getName(), e))
            .withNamespace(EVENT_NAMESPACE)
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(peer.getApiVersion())
                    .withKind(peer.getKind())
                    .withName(peer.getMetadata().getName())
                    .withUid(peer.getMetadata().getUid())
                    .build())
            .withReason(e.reason())
            .withMessage(e.message())
            .withType(e.warning() ? "Warning" : "Normal")
            .withFirstTimestamp(time)
            .withLastTimestamp(time)
            .withCount(1)
            .withNewSource()
            .withComponent("wiremesh-operator")
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(EVENT_NAMESPACE).resource(event).create();
    } catch (KubernetesClientException ex) {
      if (ex.getCode() == 409) {
        LOG.debugf("event %s on %s recorded already", e.reason(), peer.getMetadata().getName());
        return;
      }
      LOG.warnf("cannot record event %s on %s: %s", e.reason(), peer.getMetadata().getName(), ex);
    }
  }
}
