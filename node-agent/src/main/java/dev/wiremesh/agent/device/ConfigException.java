package dev.wiremesh.agent.device;

/** A configuration the agent refuses, naming the field (a JSON path) and what would be valid. */
public final class ConfigException extends Exception {
  private final String field;

  public ConfigException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
