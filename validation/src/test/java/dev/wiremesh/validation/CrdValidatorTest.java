package dev.wiremesh.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each schema keyword and CEL rule class gives the cause the API server gives: the field path
 * Kubernetes writes, the reason, and the message kubectl prints.
 */
class CrdValidatorTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static final String CRD =
      """
      {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
       "metadata":{"name":"widgets.example.dev"},
       "spec":{"group":"example.dev","names":{"kind":"Widget","plural":"widgets"},
        "versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object","properties":{
         "spec":{"type":"object","required":["name"],
          "x-kubernetes-validations":[{"rule":"has(self.a) != has(self.b)",
                                       "message":"exactly one of a or b must be set"}],
          "properties":{
           "name":{"type":"string","pattern":"^[a-z]+$","maxLength":5},
           "a":{"type":"string"},"b":{"type":"string"},
           "port":{"type":"integer","minimum":1.0,"maximum":65535.0},
           "mode":{"type":"string","enum":["fast","safe"]},
           "nets":{"type":"array","maxItems":2,"minItems":1,
                   "items":{"type":"string","x-kubernetes-validations":[
                     {"rule":"isCIDR(self)","message":"must be a CIDR"}]}}}}}}}}]}}
      """;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("{\"name\":\"ok\",\"a\":\"x\",\"nets\":[\"10.0.0.0/8\"]}", List.of()),
        // Null fields are pruned before validation, as the API server does (not nullable here).
        Arguments.of("{\"name\":\"ok\",\"a\":\"x\",\"port\":null,\"b\":null}", List.of()),
        Arguments.of(
            "{\"name\":null,\"a\":\"x\"}",
            List.of("spec.name|FieldValueRequired|spec.name: Required value")),
        Arguments.of(
            "{\"a\":\"x\"}", List.of("spec.name|FieldValueRequired|spec.name: Required value")),
        Arguments.of(
            "{\"name\":\"ok\",\"a\":\"x\",\"port\":\"80\"}",
            List.of(
                "spec.port|FieldValueTypeInvalid|spec.port: Invalid value: \"string\": spec.port"
                    + " in body must be of type integer: \"string\"")),
        Arguments.of(
            "{\"name\":\"Ab\",\"a\":\"x\"}",
            List.of(
                "spec.name|FieldValueInvalid|spec.name: Invalid value: \"Ab\": spec.name in body"
                    + " should match '^[a-z]+$'")),
        Arguments.of(
            "{\"name\":\"abcdef\",\"a\":\"x\"}",
            List.of(
                "spec.name|FieldValueTooLong|spec.name: Too long: may not be more than 5 bytes")),
        Arguments.of(
            "{\"name\":\"ok\",\"a\":\"x\",\"port\":70000}",
            List.of(
                "spec.port|FieldValueInvalid|spec.port: Invalid value: 70000: spec.port in body"
                    + " should be less than or equal to 65535")),
        Arguments.of(
            "{\"name\":\"ok\",\"a\":\"x\",\"mode\":\"slow\"}",
            List.of(
                "spec.mode|FieldValueNotSupported|spec.mode: Unsupported value: \"slow\":"
                    + " supported values: \"fast\", \"safe\"")),
        Arguments.of(
            "{\"name\":\"ok\",\"a\":\"x\",\"nets\":[\"10.0.0.0/8\",\"10.1.0.0/16\",\"10.2.0.0/16\"]}",
            List.of(
                "spec.nets|FieldValueTooMany|spec.nets: Too many: 3: must have at most 2 items")),
        Arguments.of(
            "{\"name\":\"ok\",\"a\":\"x\",\"b\":\"y\"}",
            List.of(
                "spec|FieldValueInvalid|spec: Invalid value: \"object\": exactly one of a or b"
                    + " must be set")),
        Arguments.of(
            "{\"name\":\"ok\",\"a\":\"x\",\"nets\":[\"10.0.0.0/8\",\"nope\"]}",
            List.of(
                "spec.nets[1]|FieldValueInvalid|spec.nets[1]: Invalid value: \"string\": must be a"
                    + " CIDR")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void causes(String spec, List<String> expected) throws Exception {
    JsonNode widget =
        JSON.readTree(
            "{\"apiVersion\":\"example.dev/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},"
                + "\"spec\":"
                + spec
                + "}");
    List<String> got =
        CrdValidator.of(JSON.readTree(CRD)).validate(widget).stream()
            .map(v -> v.field() + "|" + v.reason() + "|" + v.describe())
            .toList();
    assertThat(got).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theStatusIsTheApiServers(String spec, List<String> expected) throws Exception {
    if (expected.isEmpty()) {
      return;
    }
    List<FieldViolation> violations =
        CrdValidator.of(JSON.readTree(CRD))
            .validate(JSON.readTree("{\"metadata\":{\"name\":\"w\"},\"spec\":" + spec + "}"));
    Status s = InvalidResource.status("Widget", "example.dev", "w", violations);
    assertThat(s.getCode()).isEqualTo(422);
    assertThat(s.getReason()).isEqualTo("Invalid");
    assertThat(s.getDetails().getKind()).isEqualTo("Widget");
    assertThat(s.getDetails().getName()).isEqualTo("w");
    assertThat(s.getDetails().getCauses())
        .extracting(c -> c.getField())
        .containsExactlyElementsOf(violations.stream().map(FieldViolation::field).toList());
    assertThat(s.getMessage())
        .isEqualTo("Widget.example.dev \"w\" is invalid: " + violations.getFirst().describe());
  }
}
