package dev.wiremesh.operator.rotation;

import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import java.time.Instant;
import java.util.List;

/**
 * What the state machine knows of one node in a pass.
 *
 * @param peerName the node's WireGuardPeer
 * @param node the Node's name
 * @param rotation the recorded status.keyRotation (null: never rotated)
 * @param annotation the wiremesh.dev/rotate-key annotation's value, or null
 * @param created when the node's WireGuardPeer was created (the schedule's start)
 * @param identity the agent's identity now, or null while the agent is away
 * @param status the agent's device status polled in this pass, or null
 * @param pendingNodes other nodes' peers that do not hold this node's distributed key yet
 * @param awayNodes among those, the ones whose agent is away (they catch up when back)
 * @param externalPeers external peers (name and public key) this node's device holds
 */
public record NodeView(
    String peerName,
    String node,
    KeyRotationStatus rotation,
    String annotation,
    Instant created,
    Identity identity,
    DeviceStatus status,
    List<String> pendingNodes,
    List<String> awayNodes,
    List<ExternalPeer> externalPeers) {

  /** An external peer of the node. */
  public record ExternalPeer(String name, String publicKey) {}

  public String phase() {
    return rotation == null ? null : rotation.getPhase();
  }
}
