package dev.wiremesh.agent.api;

import dev.wiremesh.agent.device.ConfigException;
import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.api.agent.AgentApi;
import dev.wiremesh.api.agent.Problem;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors as RFC 7807 problem details naming the field at fault. */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response invalid(ConfigException e) {
    return problem(400, "Invalid configuration", e.getMessage(), e.field());
  }

  @ServerExceptionMapper
  public Response stale(DeviceManager.StaleBaseException e) {
    return problem(
        409,
        "Stale base configuration",
        e.getMessage() + ": send the full configuration with PUT",
        "baseHash");
  }

  @ServerExceptionMapper
  public Response rotationConflict(dev.wiremesh.agent.rotation.RotationConflictException e) {
    return problem(409, "Key rotation step does not apply", e.getMessage(), "publicKey");
  }

  @ServerExceptionMapper
  public Response unreadable(com.fasterxml.jackson.core.JsonProcessingException e) {
    String detail =
        e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException
            ? "cannot be built from these values"
            : e.getOriginalMessage();
    return problem(400, "Unreadable request", detail, unreadableField(e));
  }

  /**
   * Quarkus' JSON reader wraps what is not JSON at all (a body cut short, a stray byte) in a
   * WebApplicationException; answered as the other unreadable bodies are.
   */
  @ServerExceptionMapper
  public Response wrapped(jakarta.ws.rs.WebApplicationException e) {
    if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      return unreadable(j);
    }
    return e.getResponse();
  }

  /**
   * Where in the body reading stopped, as a JSON path ({@code peers[0].allowedIPs[1]}): the
   * mapping's path, else the parser's position; {@code body} when that is the top level.
   */
  static String unreadableField(com.fasterxml.jackson.core.JsonProcessingException e) {
    StringBuilder b = new StringBuilder();
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m
        && !m.getPath().isEmpty()) {
      for (var ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
        } else {
          b.append('[').append(ref.getIndex()).append(']');
        }
      }
    } else if (e instanceof com.fasterxml.jackson.core.exc.StreamReadException r
        && r.getProcessor() != null) {
      for (String step :
          r.getProcessor().getParsingContext().pathAsPointer().toString().split("/")) {
        if (step.isEmpty()) {
          continue;
        }
        if (step.chars().allMatch(Character::isDigit)) {
          b.append('[').append(step).append(']');
        } else {
          b.append(b.isEmpty() ? "" : ".").append(step.replace("~1", "/").replace("~0", "~"));
        }
      }
    }
    return b.isEmpty() ? "body" : b.toString();
  }

  /** More specific than Quarkus' own mapper for this type, so ours answers. */
  @ServerExceptionMapper
  public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
    return unreadable(e);
  }

  @ServerExceptionMapper
  public Response failed(IOException e) {
    LOG.errorf("applying the configuration failed: %s", e.getMessage());
    return problem(500, "Applying the configuration failed", e.getMessage(), null);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  static Response problem(int status, String title, String detail, String field) {
    String body;
    try {
      body = JSON.writeValueAsString(Problem.of(status, title, detail, field));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      body = "{\"status\":" + status + "}";
    }
    // Serialised here so the media type stays application/problem+json (RFC 7807).
    return Response.status(status)
        .header(jakarta.ws.rs.core.HttpHeaders.CONTENT_TYPE, AgentApi.PROBLEM_JSON)
        .entity(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .build();
  }
}
