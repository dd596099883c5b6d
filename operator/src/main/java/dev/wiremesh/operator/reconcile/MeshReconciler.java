package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMeshStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.encryption.Enforcement;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles a WireGuardMesh: one {@link MeshSync} pass, then the mesh's aggregates and conditions.
 * Peers, Nodes, agent Pods and Secrets (preshared keys) trigger it; a resync polls the agents.
 */
public class MeshReconciler implements Reconciler<WireGuardMesh>, Cleaner<WireGuardMesh> {

  @Inject MeshSync sync;
  @Inject OperatorConfig config;
  @Inject KubernetesClient client;
  @Inject Clock clock;

  @Override
  public List<EventSource<?, WireGuardMesh>> prepareEventSources(
      EventSourceContext<WireGuardMesh> context) {
    var peers =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(WireGuardPeer.class, WireGuardMesh.class)
                .withName("peers")
                .withSecondaryToPrimaryMapper(
                    p ->
                        p.getSpec() == null
                            ? Set.of()
                            : Set.of(new ResourceID(p.getSpec().getMesh())))
                .build(),
            context);
    var nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, WireGuardMesh.class)
                .withName("nodes")
                .withSecondaryToPrimaryMapper(n -> allMeshes(context))
                .build(),
            context);
    var agentPods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, WireGuardMesh.class)
                .withName("agents")
                .withNamespaces(config.namespace())
                .withLabelSelector(config.agent().selector())
                .withSecondaryToPrimaryMapper(p -> allMeshes(context))
                .build(),
            context);
    var secrets =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, WireGuardMesh.class)
                .withName("preshared-keys")
                .withWatchAllNamespaces()
                .withGenericFilter(
                    s ->
                        s.getMetadata().getLabels() == null
                            || !"wiremesh-operator"
                                .equals(
                                    s.getMetadata()
                                        .getLabels()
                                        .get("app.kubernetes.io/managed-by")))
                .withSecondaryToPrimaryMapper(s -> allMeshes(context))
                .build(),
            context);
    return List.of(peers, nodes, agentPods, secrets);
  }

  private static Set<ResourceID> allMeshes(EventSourceContext<WireGuardMesh> context) {
    return context
        .getPrimaryCache()
        .list()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<WireGuardMesh> reconcile(
      WireGuardMesh mesh, Context<WireGuardMesh> context) {
    var outcome = sync.sync(mesh.getMetadata().getName());
    if (outcome.isEmpty()) {
      return UpdateControl.noUpdate();
    }
    var o = outcome.get();
    WireGuardMeshStatus old = mesh.getStatus();
    List<Condition> previous = old == null ? List.of() : old.getConditions();
    Long gen = mesh.getMetadata().getGeneration();
    WireGuardMeshStatus s = new WireGuardMeshStatus();
    s.setNodes(o.nodes());
    s.setReadyNodes(o.readyNodes());
    s.setPeers(o.peers());
    s.setConnectedPeers(o.connectedPeers());
    s.setLocations(o.locations());
    if (o.nat() != null && o.nat().active()) {
      s.setDirectPairs(o.nat().directPairs());
      s.setRelayedPairs(o.nat().relayedPairs());
    }
    s.setObservedGeneration(gen);
    boolean ready = o.nodes() > 0 && o.readyNodes() == o.nodes() && !o.poolsInvalid();
    List<Condition> c =
        Conditions.set(
            List.of(),
            previous,
            "Ready",
            ready,
            ready ? "AllNodesReady" : "NodesPending",
            o.readyNodes() + " of " + o.nodes() + " node(s) ready",
            gen,
            clock.instant());
    boolean degraded = !o.problems().isEmpty();
    String problems = String.join("; ", o.problems());
    if (problems.length() > 1000) {
      problems = problems.substring(0, 1000) + "…";
    }
    c =
        Conditions.set(
            c,
            previous,
            "Degraded",
            degraded,
            o.poolsInvalid() ? "InvalidSpec" : degraded ? "Problems" : "NoProblems",
            problems,
            gen,
            clock.instant());
    if (o.encryption() != null) {
      s.setEncryption(o.encryption().state());
      s.setEnforcedNodes(o.encryption().enforcedNodes());
      if (o.encryption().required()) {
        boolean enforced = Enforcement.ENFORCED.equals(o.encryption().state());
        c =
            Conditions.set(
                c,
                previous,
                "EncryptionEnforced",
                enforced,
                o.encryption().state(),
                o.encryption().message(),
                gen,
                clock.instant());
      }
    }
    s.setConditions(c);
    UpdateControl<WireGuardMesh> control;
    if (Objects.equals(old, s)) {
      control = UpdateControl.noUpdate();
    } else {
      mesh.setStatus(s);
      control = UpdateControl.patchStatus(mesh);
    }
    // A location leader that stopped answering is replaced as soon as its failover time is up; a
    // pair behind NAT is looked at while its bounded times run (docs/nat-traversal.md).
    long next = config.resync().toMillis();
    if (o.recheckIn() != null) {
      next = Math.max(1, Math.min(next, o.recheckIn().toMillis()));
    }
    return control.rescheduleAfter(next);
  }

  /** A mesh going away takes its node peers with it (external peers are the user's). */
  @Override
  public DeleteControl cleanup(WireGuardMesh mesh, Context<WireGuardMesh> context) {
    // One last pass while the mesh is being deleted: it sends every agent the policy Preferred, so
    // each removes the mesh's table (an agent away now keeps it: fail closed; see
    // docs/encryption.md to remove it by hand).
    sync.sync(mesh.getMetadata().getName());
    client
        .resources(WireGuardPeer.class)
        .withLabel(NodePeers.MESH_LABEL, mesh.getMetadata().getName())
        .list()
        .getItems()
        .stream()
        .filter(p -> !p.getSpec().isExternal())
        .forEach(p -> client.resource(p).delete());
    return DeleteControl.defaultDelete();
  }
}
