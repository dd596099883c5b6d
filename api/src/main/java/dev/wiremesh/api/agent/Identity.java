package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a node's agent tells the operator about itself: its WireGuard public key (the private key
 * never leaves the node), the port it listens on, and the addresses (host:port) it may be reached
 * at. During a key rotation it also reports the next public key (generated, held, not yet used to
 * initiate) or the previous one (still answered until the rotation is finished).
 *
 * @param capabilities what the agent supports beyond the base protocol ({@link #KEY_ROTATION}); an
 *     agent that reports none is older than these features
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Identity(
    String publicKey,
    int listenPort,
    List<String> endpoints,
    String nextPublicKey,
    String previousPublicKey,
    List<String> capabilities) {

  /** The capability of an agent that serves {@link AgentApi#KEY_ROTATION}. */
  public static final String KEY_ROTATION = "key-rotation-v1";

  public Identity {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
  }

  /** An identity outside a key rotation, without capabilities. */
  public Identity(String publicKey, int listenPort, List<String> endpoints) {
    this(publicKey, listenPort, endpoints, null, null, List.of());
  }

  public boolean supports(String capability) {
    return capabilities.contains(capability);
  }
}
