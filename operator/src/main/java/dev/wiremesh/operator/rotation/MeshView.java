package dev.wiremesh.operator.rotation;

import java.time.Duration;
import java.util.List;

/**
 * What the state machine knows of the mesh in a pass.
 *
 * @param interval the mesh's rotation interval, or null for on-demand only
 * @param externalGracePeriod how long a gateway still answers its previous key for external peers
 * @param withoutRotation nodes whose agent does not support key rotation (older agents)
 * @param distributing the node peer whose key is being distributed, or null
 * @param nextInLine among the nodes waiting in Pending, the one whose turn it is, or null
 */
public record MeshView(
    Duration interval,
    Duration externalGracePeriod,
    List<String> withoutRotation,
    String distributing,
    String nextInLine) {}
