package dev.wiremesh.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Checks a custom resource as the API server does before it stores it: against its CRD's OpenAPI
 * schema (type, pattern, lengths, bounds, required fields) and against every {@code
 * x-kubernetes-validations} CEL rule at its node. Violations carry the field path and a message in
 * the API server's words, so callers can answer with {@link InvalidResource#status}.
 */
public final class CrdValidator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String kind;
  private final String group;
  private final String plural;
  private final JsonNode openApiSchema;
  private final Schema schema;

  private CrdValidator(String kind, String group, String plural, JsonNode openApiSchema) {
    this.kind = kind;
    this.group = group;
    this.plural = plural;
    this.openApiSchema = openApiSchema;
    this.schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(stripExtensions(openApiSchema.deepCopy()).toString(), InputFormat.JSON);
  }

  /** A validator for the first version of {@code crd} (a CustomResourceDefinition as a tree). */
  public static CrdValidator of(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode s = spec.path("versions").path(0).path("schema").path("openAPIV3Schema");
    if (s.isMissingNode()) {
      throw new IllegalArgumentException(
          "CRD " + crd.path("metadata").path("name").asText() + " has no openAPIV3Schema");
    }
    return new CrdValidator(
        spec.path("names").path("kind").asText(),
        spec.path("group").asText(),
        spec.path("names").path("plural").asText(),
        s);
  }

  /** A validator for the first version of {@code crd}. */
  public static CrdValidator of(CustomResourceDefinition crd) {
    return of(JSON.valueToTree(crd));
  }

  public String kind() {
    return kind;
  }

  public String group() {
    return group;
  }

  public String plural() {
    return plural;
  }

  /** Every reason the API server would refuse {@code resource}; empty when it would store it. */
  public List<FieldViolation> validate(JsonNode resource) {
    resource = withoutNulls(resource.deepCopy(), openApiSchema);
    LinkedHashSet<FieldViolation> out = new LinkedHashSet<>();
    for (Error e : schema.validate(resource.toString(), InputFormat.JSON)) {
      out.add(schemaViolation(e, resource));
    }
    celRules(openApiSchema, resource, "", out);
    return List.copyOf(out);
  }

  /**
   * {@code value} with every null field that its schema does not declare {@code nullable} removed,
   * as the API server prunes them before it validates (a client that serializes an absent status as
   * {@code "status": null} is not refused for it).
   */
  private static JsonNode withoutNulls(JsonNode value, JsonNode schema) {
    if (value instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      for (var it = o.properties().iterator(); it.hasNext(); ) {
        var field = it.next();
        JsonNode child = schema.path("properties").path(field.getKey());
        if (child.isMissingNode() && schema.path("additionalProperties").isObject()) {
          child = schema.path("additionalProperties");
        }
        if (field.getValue().isNull() && !child.path("nullable").asBoolean(false)) {
          it.remove();
        } else {
          withoutNulls(field.getValue(), child);
        }
      }
    } else if (value.isArray()) {
      value.forEach(item -> withoutNulls(item, schema.path("items")));
    }
    return value;
  }

  private FieldViolation schemaViolation(Error e, JsonNode resource) {
    List<Object> path = elements(e.getInstanceLocation());
    JsonNode at = schemaAt(path);
    JsonNode value = valueAt(resource, path);
    String field = fieldPath(path);
    String keyword = e.getKeyword() == null ? "" : e.getKeyword();
    return switch (keyword) {
      case "required" -> {
        String missing = e.getProperty();
        yield new FieldViolation(
            field.isEmpty() ? missing : field + "." + missing,
            "FieldValueRequired",
            "Required value");
      }
      case "type" ->
          new FieldViolation(
              field,
              "FieldValueTypeInvalid",
              "Invalid value: \""
                  + jsonType(value)
                  + "\": "
                  + field
                  + " in body must be of type "
                  + at.path("type").asText()
                  + ": \""
                  + jsonType(value)
                  + "\"");
      case "pattern" ->
          invalid(
              field, value, field + " in body should match '" + at.path("pattern").asText() + "'");
      case "maxLength" ->
          new FieldViolation(
              field,
              "FieldValueTooLong",
              "Too long: may not be more than " + number(at.path("maxLength")) + " bytes");
      case "minLength" ->
          invalid(
              field,
              value,
              field
                  + " in body should be at least "
                  + number(at.path("minLength"))
                  + " chars long");
      case "maximum" ->
          invalid(
              field,
              value,
              field + " in body should be less than or equal to " + number(at.path("maximum")));
      case "minimum" ->
          invalid(
              field,
              value,
              field + " in body should be greater than or equal to " + number(at.path("minimum")));
      case "maxItems" ->
          new FieldViolation(
              field,
              "FieldValueTooMany",
              "Too many: "
                  + value.size()
                  + ": must have at most "
                  + number(at.path("maxItems"))
                  + " items");
      case "minItems" ->
          invalid(
              field,
              value,
              field + " in body should have at least " + number(at.path("minItems")) + " items");
      case "enum" -> {
        List<String> supported = new ArrayList<>();
        at.path("enum").forEach(v -> supported.add(v.toString()));
        yield new FieldViolation(
            field,
            "FieldValueNotSupported",
            "Unsupported value: "
                + shown(value)
                + ": supported values: "
                + String.join(", ", supported));
      }
      default -> invalid(field, value, e.getMessage());
    };
  }

  private static FieldViolation invalid(String field, JsonNode value, String what) {
    return new FieldViolation(
        field, "FieldValueInvalid", "Invalid value: " + shown(value) + ": " + what);
  }

  /** Walks schema and value together, evaluating each x-kubernetes-validations rule at its node. */
  private static void celRules(
      JsonNode schema, JsonNode value, String field, LinkedHashSet<FieldViolation> out) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      if (!KubernetesCel.holds(rule.path("rule").asText(), toCel(value))) {
        String at = field;
        if (rule.hasNonNull("fieldPath")) {
          at = field + rule.get("fieldPath").asText();
          at = at.startsWith(".") ? at.substring(1) : at;
        }
        String reason =
            rule.hasNonNull("reason") ? rule.get("reason").asText() : "FieldValueInvalid";
        out.add(
            new FieldViolation(
                at,
                reason,
                "Invalid value: \""
                    + jsonType(value)
                    + "\": "
                    + rule.path("message").asText("failed rule: " + rule.path("rule").asText())));
      }
    }
    if (value.isObject()) {
      schema
          .path("properties")
          .properties()
          .forEach(
              e ->
                  celRules(
                      e.getValue(),
                      value.get(e.getKey()),
                      field.isEmpty() ? e.getKey() : field + "." + e.getKey(),
                      out));
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        celRules(schema.path("items"), value.get(i), field + "[" + i + "]", out);
      }
    }
  }

  /** A JSON value as CEL sees it: maps, lists, int64, double, bool, string. */
  public static Object toCel(JsonNode v) {
    if (v.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      v.properties().forEach(e -> m.put(e.getKey(), toCel(e.getValue())));
      return m;
    }
    if (v.isArray()) {
      List<Object> l = new ArrayList<>();
      v.forEach(x -> l.add(toCel(x)));
      return l;
    }
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return v.asText();
  }

  /** The JSON Schema validator does not know x-kubernetes-* keywords: the CEL pass handles them. */
  private static JsonNode stripExtensions(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      o.fieldNames()
          .forEachRemaining(
              n -> {
                if (n.startsWith("x-kubernetes-")) {
                  drop.add(n);
                }
              });
      o.remove(drop);
      o.elements().forEachRemaining(CrdValidator::stripExtensions);
    } else if (node != null && node.isArray()) {
      node.elements().forEachRemaining(CrdValidator::stripExtensions);
    }
    return node;
  }

  private static List<Object> elements(NodePath p) {
    List<Object> out = new ArrayList<>();
    if (p == null) {
      return out;
    }
    for (int i = 0; i < p.getNameCount(); i++) {
      out.add(p.getElement(i));
    }
    return out;
  }

  private JsonNode schemaAt(List<Object> path) {
    JsonNode s = openApiSchema;
    for (Object e : path) {
      s = e instanceof Integer ? s.path("items") : s.path("properties").path(e.toString());
    }
    return s;
  }

  private static JsonNode valueAt(JsonNode resource, List<Object> path) {
    JsonNode v = resource;
    for (Object e : path) {
      v = e instanceof Integer i ? v.path(i) : v.path(e.toString());
    }
    return v;
  }

  /** {@code spec.allowedIPs[0]}, as Kubernetes writes field paths. */
  static String fieldPath(List<Object> path) {
    StringBuilder s = new StringBuilder();
    for (Object e : path) {
      if (e instanceof Integer i) {
        s.append('[').append(i).append(']');
      } else {
        if (!s.isEmpty()) {
          s.append('.');
        }
        s.append(e);
      }
    }
    return s.toString();
  }

  private static String jsonType(JsonNode v) {
    if (v.isObject()) {
      return "object";
    }
    if (v.isArray()) {
      return "array";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isNull()) {
      return "null";
    }
    return "string";
  }

  /** A value as the API server shows it: strings quoted, numbers bare, others by their type. */
  private static String shown(JsonNode v) {
    if (v.isTextual()) {
      return v.toString();
    }
    if (v.isNumber() || v.isBoolean()) {
      return v.asText();
    }
    if (v.isArray()) {
      return String.valueOf(v.size());
    }
    return "\"" + jsonType(v) + "\"";
  }

  private static String number(JsonNode n) {
    return new BigDecimal(n.asText()).stripTrailingZeros().toPlainString();
  }
}
