package dev.wiremesh.e2e.localmesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wiremesh.validation.CrdValidator;
import dev.wiremesh.validation.FieldViolation;
import dev.wiremesh.validation.InvalidResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a real API server does before it stores a custom resource, for the local mesh: the object a
 * create, update or patch (of the resource or its status) would store is checked against its CRD's
 * OpenAPI schema and CEL rules (validation/, the checks api/'s tests and kubectl wiremesh plan
 * use), and refused with a Status of reason Invalid naming each field.
 */
final class CrdAdmission {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A CRD's resources' path prefix, "/apis/GROUP/VERSION/PLURAL", and its validator. */
  private record Kind(String prefix, CrdValidator validator) {}

  private final List<Kind> kinds;

  CrdAdmission(List<CustomResourceDefinition> crds) {
    this.kinds =
        crds.stream()
            .map(
                c ->
                    new Kind(
                        "/apis/"
                            + c.getSpec().getGroup()
                            + "/"
                            + c.getSpec().getVersions().getFirst().getName()
                            + "/"
                            + c.getSpec().getNames().getPlural(),
                        CrdValidator.of(c)))
            .toList();
  }

  /**
   * The refusal of {@code request} as a Status JSON, or empty when the request is not a write of a
   * custom resource, or what it would store is valid. When the stored object cannot be worked out
   * (no such object, a body that is not JSON, a patch type the store refuses) the store answers as
   * it would anyway.
   *
   * @param current reads the stored object at a path, or null
   */
  Optional<String> refusal(
      RecordedRequest request, String path, Function<String, JsonNode> current) {
    String method = request.getMethod();
    if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
      return Optional.empty();
    }
    for (Kind k : kinds) {
      if (!path.startsWith(k.prefix())) {
        continue;
      }
      String rest = path.substring(k.prefix().length());
      boolean status = rest.endsWith("/status");
      String objectPath = status ? path.substring(0, path.length() - "/status".length()) : path;
      JsonNode stored;
      try {
        stored = wouldStore(request, method, rest, status, objectPath, current);
      } catch (RuntimeException e) {
        return Optional.empty();
      }
      if (stored == null) {
        return Optional.empty();
      }
      List<FieldViolation> violations = k.validator().validate(stored);
      if (violations.isEmpty()) {
        return Optional.empty();
      }
      String name = stored.path("metadata").path("name").asText();
      try {
        return Optional.of(
            JSON.writeValueAsString(
                InvalidResource.status(
                    k.validator().kind(), k.validator().group(), name, violations)));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return Optional.empty();
  }

  private static JsonNode wouldStore(
      RecordedRequest request,
      String method,
      String rest,
      boolean status,
      String objectPath,
      Function<String, JsonNode> current) {
    String body = new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (method.equals("POST")) {
      return rest.isEmpty() || rest.equals("/") ? read(body) : null;
    }
    JsonNode now = current.apply(objectPath);
    if (now == null) {
      return null;
    }
    JsonNode next;
    if (method.equals("PUT")) {
      next = read(body);
    } else {
      String type = request.getHeader("Content-Type");
      type = type == null ? "" : type;
      if (type.startsWith("application/json-patch+json")) {
        next = JsonPatch.apply(read(body), now);
      } else if (type.startsWith("application/merge-patch+json")
          || type.startsWith("application/strategic-merge-patch+json")) {
        // Custom resources take no strategic merge: the API server treats it as a merge patch.
        next = mergePatch(now.deepCopy(), read(body));
      } else {
        return null;
      }
    }
    if (next == null) {
      return null;
    }
    // With the status subresource, a status write changes the status only, and a write of the
    // resource leaves the status as it is stored (what the client sent there is ignored).
    ObjectNode out = (status ? now : next).deepCopy();
    JsonNode keptStatus = status ? next.get("status") : now.get("status");
    if (keptStatus != null) {
      out.set("status", keptStatus);
    } else {
      out.remove("status");
    }
    return out;
  }

  /** RFC 7386. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode t =
        target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        t.remove(e.getKey());
      } else {
        t.set(e.getKey(), mergePatch(t.get(e.getKey()), e.getValue()));
      }
    }
    return t;
  }

  private static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
  }
}
