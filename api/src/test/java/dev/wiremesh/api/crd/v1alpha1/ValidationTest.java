package dev.wiremesh.api.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the API server would say to resources users write: the generated OpenAPI schema (checked
 * with a JSON Schema validator) and the CEL rules (evaluated with cel-java and Kubernetes'
 * functions), against a table of valid and invalid resources and the messages a user would see.
 */
class ValidationTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Every message the schema and the rules produce for {@code resource} (empty: accepted). */
  static List<String> validate(String plural, JsonNode resource) {
    JsonNode schema = CrdFiles.schema(CrdFiles.checkedIn(plural));
    List<String> errors = new ArrayList<>();
    Schema s =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(stripExtensions(schema.deepCopy()).toString(), InputFormat.JSON);
    s.validate(resource.toString(), InputFormat.JSON).forEach(e -> errors.add(e.getMessage()));
    celRules(schema, resource, errors);
    return errors;
  }

  /** The validator does not know x-kubernetes-* keywords: the CEL pass handles those. */
  static JsonNode stripExtensions(JsonNode node) {
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
      o.elements().forEachRemaining(ValidationTest::stripExtensions);
    } else if (node != null && node.isArray()) {
      node.elements().forEachRemaining(ValidationTest::stripExtensions);
    }
    return node;
  }

  /** Walks schema and value together, evaluating each x-kubernetes-validations rule at its node. */
  static void celRules(JsonNode schema, JsonNode value, List<String> errors) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      if (!KubernetesCel.holds(rule.get("rule").asText(), toCel(value))) {
        errors.add(rule.get("message").asText());
      }
    }
    if (value.isObject()) {
      schema
          .path("properties")
          .properties()
          .forEach(e -> celRules(e.getValue(), value.get(e.getKey()), errors));
    } else if (value.isArray()) {
      for (JsonNode item : value) {
        celRules(schema.path("items"), item, errors);
      }
    }
  }

  static Object toCel(JsonNode v) {
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

  static JsonNode peer(String specJson) throws Exception {
    return JSON.readTree(
        "{\"apiVersion\":\"wiremesh.dev/v1alpha1\",\"kind\":\"WireGuardPeer\",\"metadata\":{\"name\":\"p\"},\"spec\":"
            + specJson
            + "}");
  }

  static JsonNode mesh(String specJson) throws Exception {
    return JSON.readTree(
        "{\"apiVersion\":\"wiremesh.dev/v1alpha1\",\"kind\":\"WireGuardMesh\",\"metadata\":{\"name\":\"m\"},\"spec\":"
            + specJson
            + "}");
  }

  static final String KEY = "\"publicKey\":\"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\"";

  static Stream<Arguments> peers() {
    return Stream.of(
        Arguments.of("{\"mesh\":\"m\"," + KEY + "}", null),
        Arguments.of("{\"mesh\":\"m\",\"node\":\"worker-1\"}", null),
        Arguments.of("{\"mesh\":\"m\"}", "exactly one of node"),
        Arguments.of("{\"mesh\":\"m\",\"node\":\"n\"," + KEY + "}", "exactly one of node"),
        Arguments.of(
            "{\"mesh\":\"m\",\"publicKey\":\"not-a-key\"}", "does not match the regex pattern"),
        Arguments.of(
            "{\"mesh\":\"m\",\"publicKey\":\"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Db=\"}",
            "does not match the regex pattern"),
        Arguments.of("{" + KEY + "}", "required property 'mesh' not found"),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"vpn.example.com:51820\"}", null),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"198.51.100.7:51820\"}", null),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"[2001:db8::1]:51820\"}", null),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"[2001:db8::1]:70000\"}",
            "the port must be between 1 and 65535"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"host:0\"}",
            "the port must be between 1 and 65535"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"[1.2.3.4]:51820\"}",
            "an address in brackets must be an IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"2001:db8::1:51820\"}",
            "does not match the regex pattern"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"nohost\"}",
            "does not match the regex pattern"),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"address\":\"10.100.0.7\"}", null),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"address\":\"fd00:100::7\"}", null),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"10.100.0.7/32\"}",
            "address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"10.100.0.300\"}",
            "address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"::ffff:10.0.0.1\"}",
            "address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"192.168.10.0/24\",\"fd00:10::/64\"]}",
            null),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"192.168.10.0/33\"]}",
            "allowedIPs: every entry must be a CIDR"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"192.168.10.0\"]}",
            "allowedIPs: every entry must be a CIDR"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"" + "1".repeat(44) + "\"]}",
            "must be at most 43 characters"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"" + "a".repeat(40) + "\"}",
            "must be at most 39 characters"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"persistentKeepalive\":65536}",
            "must have a maximum value of 65535"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"persistentKeepalive\":-1}",
            "must have a minimum value of 0"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"presharedKeySecretRef\":{\"name\":\"s\"}}",
            "required property 'namespace' not found"));
  }

  @ParameterizedTest
  @MethodSource("peers")
  void peerSpecs(String spec, String expected) throws Exception {
    List<String> errors = validate("wireguardpeers", peer(spec));
    if (expected == null) {
      assertThat(errors).as(spec).isEmpty();
    } else {
      assertThat(errors).as(spec).anySatisfy(m -> assertThat(m).contains(expected));
    }
  }

  static final String POOL = "{\"addressPools\":[\"10.100.0.0/16\"],";

  static Stream<Arguments> meshes() {
    return Stream.of(
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\"]}", null),
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\",\"fd00:100::/64\"],\"mtu\":1420}", null),
        Arguments.of("{\"addressPools\":[]}", "must have at least 1 items"),
        Arguments.of("{}", "required property 'addressPools' not found"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0\"]}", "addressPools: every entry must be a CIDR"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"mtu\":1000}",
            "mtu must be 0 (the node's uplink MTU minus 80) or between 1280 and 9000"),
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\"],\"mtu\":9001}", "mtu must be 0"),
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\"],\"mtu\":0}", null),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"listenPort\":0}",
            "must have a minimum value of 1"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"interfaceName\":\"a-very-long-name0\"}",
            "does not match the regex pattern"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"interfaceName\":\"wm/0\"}",
            "does not match the regex pattern"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"persistentKeepalive\":70000}",
            "must have a maximum value of 65535"),
        Arguments.of(POOL + "\"topology\":{}}", null),
        Arguments.of(POOL + "\"topology\":{\"mode\":\"FullMesh\"}}", null),
        Arguments.of(POOL + "\"topology\":{\"mode\":\"Locations\"}}", null),
        Arguments.of(
            POOL
                + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\"example.com/site\","
                + "\"intraLocation\":\"Direct\"}}",
            null),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\"rack\"}}", null),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"intraLocation\":\"Encrypted\"}}", null),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Mesh\"}}",
            "does not have a value in the enumeration [\"FullMesh\", \"Locations\"]"),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"intraLocation\":\"Plain\"}}",
            "does not have a value in the enumeration [\"Direct\", \"Encrypted\"]"),
        Arguments.of(
            POOL + "\"topology\":{\"locationLabel\":\"topology.kubernetes.io/region\"}}",
            "topology: locationLabel and intraLocation apply only with mode: Locations"),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"FullMesh\",\"intraLocation\":\"Direct\"}}",
            "topology: locationLabel and intraLocation apply only with mode: Locations"),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\"my zone\"}}",
            "topology.locationLabel must be a label key"),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\"Example.com/zone\"}}",
            "topology.locationLabel must be a label key"),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\"zone-\"}}",
            "topology.locationLabel must be a label key"),
        Arguments.of(
            POOL
                + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\""
                + "z".repeat(64)
                + "\"}}",
            "topology.locationLabel must be a label key"),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"locationLabel\":\"/zone\"}}",
            "topology.locationLabel must be a label key"));
  }

  @ParameterizedTest
  @MethodSource("meshes")
  void meshSpecs(String spec, String expected) throws Exception {
    List<String> errors = validate("wireguardmeshes", mesh(spec));
    if (expected == null) {
      assertThat(errors).as(spec).isEmpty();
    } else {
      assertThat(errors).as(spec).anySatisfy(m -> assertThat(m).contains(expected));
    }
  }

  @Test
  void theExamplesAreValid() {
    assertThat(validate("wireguardmeshes", CrdFiles.examples("mesh.yaml").get(0))).isEmpty();
    assertThat(validate("wireguardpeers", CrdFiles.examples("external-peer.yaml").get(1)))
        .isEmpty();
  }

  @Test
  void everyRuleCompilesWithTheKubernetesFunctionsBound() throws Exception {
    for (String plural : new String[] {"wireguardmeshes", "wireguardpeers"}) {
      for (JsonNode rule : CrdFiles.checkedIn(plural).findValues("x-kubernetes-validations")) {
        for (JsonNode r : rule) {
          KubernetesCel.compile(r.get("rule").asText());
        }
      }
    }
  }

  @Test
  void kubernetesIpSemantics() {
    assertThat(KubernetesCel.isIp("10.0.0.1")).isTrue();
    assertThat(KubernetesCel.isIp("010.0.0.1")).as("leading zeros").isFalse();
    assertThat(KubernetesCel.isIp("fe80::1%eth0")).as("zones").isFalse();
    assertThat(KubernetesCel.isIp("::ffff:1.2.3.4")).as("IPv4-mapped").isFalse();
    assertThat(KubernetesCel.isIp("example.com")).isFalse();
    assertThat(KubernetesCel.isCidr("10.0.0.1/8")).as("host bits set are allowed").isTrue();
    assertThat(KubernetesCel.isCidr("fd00::/129")).isFalse();
    assertThat(KubernetesCel.isCidr("10.0.0.0/08")).isFalse();
  }
}
