package dev.wiremesh.validation;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import java.util.List;
import java.util.stream.Collectors;

/** The answer an API server gives to an invalid resource: a Status of reason Invalid, code 422. */
public final class InvalidResource {

  private InvalidResource() {}

  /**
   * The Status for {@code name} of {@code kind} in {@code group} refused for {@code violations} (at
   * least one), with one cause per violation and the API server's message: {@code
   * WireGuardPeer.wiremesh.dev "bad" is invalid: spec.mesh: Required value}.
   */
  public static Status status(
      String kind, String group, String name, List<FieldViolation> violations) {
    return new StatusBuilder()
        .withApiVersion("v1")
        .withKind("Status")
        .withStatus("Failure")
        .withReason("Invalid")
        .withCode(422)
        .withMessage(message(kind, group, name, violations))
        .withNewDetails()
        .withName(name)
        .withGroup(group)
        .withKind(kind)
        .withCauses(
            violations.stream()
                .map(
                    v ->
                        new StatusCauseBuilder()
                            .withField(v.field())
                            .withReason(v.reason())
                            .withMessage(v.message())
                            .build())
                .toList())
        .endDetails()
        .build();
  }

  /** The API server's message: one violation inline, several in brackets. */
  public static String message(
      String kind, String group, String name, List<FieldViolation> violations) {
    String what = kind + "." + group + " \"" + name + "\" is invalid: ";
    if (violations.size() == 1) {
      return what + violations.getFirst().describe();
    }
    return what
        + violations.stream()
            .map(FieldViolation::describe)
            .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * What kubectl prints for such a Status: {@code The WireGuardPeer "bad" is invalid: ...}, one
   * cause per line when there are several.
   */
  public static String kubectlMessage(String kind, String name, List<FieldViolation> violations) {
    String what = "The " + kind + " \"" + name + "\" is invalid: ";
    if (violations.size() == 1) {
      return what + violations.getFirst().describe();
    }
    return what
        + violations.stream()
            .map(v -> "* " + v.describe())
            .collect(Collectors.joining("\n", "\n", ""));
  }
}
