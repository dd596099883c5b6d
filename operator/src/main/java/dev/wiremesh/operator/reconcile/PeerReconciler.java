package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.agent.PushResult;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Holds a finalizer on every WireGuardPeer so that a peer leaves the agents before it leaves the
 * API: on deletion, a mesh pass (which skips peers being deleted) pushes every node's config
 * without it; the finalizer goes only when every agent that must drop it took its new config. The
 * peer's status is written by the mesh pass, so reconcile itself has nothing to do.
 */
public class PeerReconciler implements Reconciler<WireGuardPeer>, Cleaner<WireGuardPeer> {

  static final long RETRY_MILLIS = 5_000;

  @Inject MeshSync sync;

  @Override
  public UpdateControl<WireGuardPeer> reconcile(
      WireGuardPeer peer, Context<WireGuardPeer> context) {
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(WireGuardPeer peer, Context<WireGuardPeer> context) {
    var outcome = sync.sync(peer.getSpec().getMesh());
    if (outcome.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    String ownNode = peer.getSpec().getNode();
    List<String> failed =
        outcome.get().pushes().entrySet().stream()
            .filter(e -> e.getValue() instanceof PushResult.Failed)
            .map(e -> e.getKey())
            .filter(n -> !n.equals(ownNode))
            .toList();
    if (failed.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY_MILLIS);
  }
}
