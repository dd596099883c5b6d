package dev.wiremesh.api.agent;

import java.util.List;

/**
 * A change to the config the agent holds: valid only on top of {@code baseHash} (else the agent
 * answers 409 and the operator sends the whole config); {@code hash} is the hash of the result.
 * Interface settings never travel in a delta: changing them takes a full config.
 */
public record ConfigDelta(
    String baseHash, String hash, List<PeerConfig> upsert, List<String> remove) {
  public ConfigDelta {
    upsert = upsert == null ? List.of() : List.copyOf(upsert);
    remove = remove == null ? List.of() : List.copyOf(remove);
  }
}
