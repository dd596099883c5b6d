package dev.wiremesh.api.agent;

/**
 * A step of the rotation of a node's static key, sent by the operator to the node's agent. Each is
 * idempotent, so a step repeated after a restart of either side does no harm.
 *
 * @param action {@link #PREPARE}, {@link #COMMIT} or {@link #FINISH}
 * @param publicKey for {@link #COMMIT}, the next public key being committed (the one distributed to
 *     the peers); for {@link #FINISH}, the public key that stays. Not used by {@link #PREPARE}.
 */
public record KeyRotationRequest(String action, String publicKey) {
  /**
   * Generate the next key (stored 0600 beside the current one before it is reported) unless one is
   * held, and answer initiations addressed to it; the node still initiates with its current key.
   */
  public static final String PREPARE = "prepare";

  /**
   * Every peer knows the next key: it becomes the node's key (reported, used to initiate); the
   * previous one is still answered, for peers that have not moved yet.
   */
  public static final String COMMIT = "commit";

  /** Forget the previous key: zeroed in memory, its file deleted. */
  public static final String FINISH = "finish";
}
