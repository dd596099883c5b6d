package dev.wiremesh.cli;

/**
 * An error the user can act on: printed as one {@code error: ...} line (more lines only when the
 * message has them, like an API server's list of causes) and exit status 1, as kubectl does.
 */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
