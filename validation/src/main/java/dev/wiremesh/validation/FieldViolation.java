package dev.wiremesh.validation;

/**
 * One reason the API server refuses a resource, as a cause of its Status.
 *
 * @param field the field's path, as Kubernetes writes it: {@code spec.allowedIPs[0]}
 * @param reason the cause's reason: {@code FieldValueInvalid}, {@code FieldValueRequired}, {@code
 *     FieldValueTypeInvalid}, {@code FieldValueTooLong}, {@code FieldValueTooMany}, {@code
 *     FieldValueNotSupported}
 * @param message what is wrong and what is valid, without the field: {@code Required value}
 */
public record FieldViolation(String field, String reason, String message) {

  /** The line kubectl prints for this cause: {@code spec.mesh: Required value}. */
  public String describe() {
    return field + ": " + message;
  }
}
