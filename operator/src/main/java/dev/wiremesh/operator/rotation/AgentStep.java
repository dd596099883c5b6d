package dev.wiremesh.operator.rotation;

/** What the state machine asks of a node's agent in this pass. */
public sealed interface AgentStep {
  /** Nothing. */
  record None() implements AgentStep {}

  /** Generate (or report again) the next key. */
  record Prepare() implements AgentStep {}

  /** Make {@code publicKey}, the key distributed, the node's key. */
  record Commit(String publicKey) implements AgentStep {}

  /** Drop the previous key; {@code publicKey} is the one that stays. */
  record Finish(String publicKey) implements AgentStep {}
}
