package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error as RFC 7807 problem details, with the field at fault (a JSON path such as {@code
 * peers[2].allowedIPs[0]}) so the operator can tell the user what to change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {
  public static Problem of(int status, String title, String detail, String field) {
    return new Problem("about:blank", title, status, detail, field);
  }
}
