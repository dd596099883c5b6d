package dev.wiremesh.agent.rotation;

/** A rotation step that does not fit the keys the node holds (answered 409, nothing changed). */
public final class RotationConflictException extends Exception {
  public RotationConflictException(String message) {
    super(message);
  }
}
