package dev.wiremesh.e2e.chart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The structural part of a CRD's OpenAPI schema, applied to a resource as the API server would:
 * field names (an unknown field would be pruned silently), types, required fields, bounds, lengths
 * and patterns. The CEL rules are checked in api/ (ValidationTest).
 */
final class CrdSchema {
  private CrdSchema() {}

  /** The openAPIV3Schema of the CRD's first version. */
  static JsonNode schemaOf(JsonNode crd) {
    return crd.path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema");
  }

  /** Every violation, each starting with the field's path (empty: accepted). */
  static List<String> violations(JsonNode schema, JsonNode value, String path) {
    List<String> out = new ArrayList<>();
    check(schema, value, path, out);
    return out;
  }

  private static void check(JsonNode schema, JsonNode value, String path, List<String> out) {
    String type = schema.path("type").asText();
    switch (type) {
      case "object" -> object(schema, value, path, out);
      case "array" -> array(schema, value, path, out);
      case "string" -> string(schema, value, path, out);
      case "integer" -> integer(schema, value, path, out);
      case "boolean" -> {
        if (!value.isBoolean()) {
          out.add(path + ": must be a boolean, is " + value);
        }
      }
      default -> out.add(path + ": the schema has no type the check knows: " + type);
    }
  }

  private static void object(JsonNode schema, JsonNode value, String path, List<String> out) {
    if (!value.isObject()) {
      out.add(path + ": must be an object, is " + value);
      return;
    }
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      String at = path + "." + field.getKey();
      JsonNode declared = schema.path("properties").path(field.getKey());
      if (!declared.isMissingNode()) {
        check(declared, field.getValue(), at, out);
      } else if (schema.path("additionalProperties").isObject()) {
        check(schema.path("additionalProperties"), field.getValue(), at, out);
      } else {
        out.add(at + ": not a field of the CRD (the API server would drop it)");
      }
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        out.add(path + "." + required.asText() + ": required");
      }
    }
  }

  private static void array(JsonNode schema, JsonNode value, String path, List<String> out) {
    if (!value.isArray()) {
      out.add(path + ": must be a list, is " + value);
      return;
    }
    if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
      out.add(path + ": at least " + schema.get("minItems").asInt() + " items");
    }
    if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
      out.add(path + ": at most " + schema.get("maxItems").asInt() + " items");
    }
    for (int i = 0; i < value.size(); i++) {
      check(schema.path("items"), value.get(i), path + "[" + i + "]", out);
    }
  }

  private static void string(JsonNode schema, JsonNode value, String path, List<String> out) {
    if (!value.isTextual()) {
      out.add(path + ": must be a string, is " + value);
      return;
    }
    String s = value.asText();
    if (schema.has("maxLength") && s.length() > schema.get("maxLength").asInt()) {
      out.add(path + ": at most " + schema.get("maxLength").asInt() + " characters");
    }
    if (schema.has("pattern")
        && !Pattern.compile(schema.get("pattern").asText()).matcher(s).find()) {
      out.add(path + ": does not match " + schema.get("pattern").asText());
    }
  }

  private static void integer(JsonNode schema, JsonNode value, String path, List<String> out) {
    if (!value.isIntegralNumber()) {
      out.add(path + ": must be an integer, is " + value);
      return;
    }
    if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
      out.add(path + ": at least " + schema.get("minimum").asLong());
    }
    if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
      out.add(path + ": at most " + schema.get("maximum").asLong());
    }
  }
}
