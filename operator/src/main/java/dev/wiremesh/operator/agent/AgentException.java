package dev.wiremesh.operator.agent;

/**
 * A call to an agent failed.
 *
 * @param status the HTTP status, or 0 when the agent could not be reached
 */
public final class AgentException extends Exception {
  private final int status;

  public AgentException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** Whether trying again may help: unreachable, 5xx, 429. A 4xx other than 409/429 will not. */
  public boolean retryable() {
    return status == 0 || status == 429 || status >= 500;
  }
}
