package dev.wiremesh.operator.agent;

/** The outcome of pushing one node's configuration. */
public sealed interface PushResult {

  /** The agent already held this hash: nothing was sent. */
  record Unchanged(String hash) implements PushResult {}

  /** The agent took the configuration, as a delta (PATCH) or in full (PUT). */
  record Applied(String hash, boolean delta, int attempts) implements PushResult {}

  /** Every attempt failed; the node is tried again on the next reconcile. */
  record Failed(String hash, int attempts, AgentException error) implements PushResult {}
}
