package dev.wiremesh.api.agent;

/** The agent protocol's paths (HTTPS with mutual TLS); see docs/agent-protocol.md. */
public final class AgentApi {
  private AgentApi() {}

  /** GET: the node's {@link Identity}. */
  public static final String IDENTITY = "/v1/identity";

  /** PUT a full {@link DeviceConfig}; PATCH a {@link ConfigDelta} on the hash the agent holds. */
  public static final String CONFIG = "/v1/config";

  /** GET: the {@link DeviceStatus}. */
  public static final String STATUS = "/v1/status";

  /**
   * POST a {@link KeyRotationRequest}: prepare, commit or finish the rotation of the node's key
   * (agents whose {@link Identity} has {@link Identity#KEY_ROTATION}); answers the {@link
   * Identity}.
   */
  public static final String KEY_ROTATION = "/v1/key-rotation";

  /** The media type of errors (RFC 7807). */
  public static final String PROBLEM_JSON = "application/problem+json";

  /** The default port agents serve on. */
  public static final int DEFAULT_PORT = 9443;
}
