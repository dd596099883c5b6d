package dev.wiremesh.api.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.validation.CrdValidator;
import dev.wiremesh.validation.FieldViolation;
import dev.wiremesh.validation.KubernetesCel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the API server would say to resources users write: the generated OpenAPI schema and the CEL
 * rules, checked with validation/'s CrdValidator (the one the local mesh's API server and kubectl
 * wiremesh plan use), against a table of valid and invalid resources and the causes a user would
 * see.
 */
class ValidationTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Every cause the schema and the rules produce for {@code resource} (empty: accepted), as kubectl
   * prints them: {@code spec.mesh: Required value}.
   */
  static List<String> validate(String plural, JsonNode resource) {
    return CrdValidator.of(CrdFiles.checkedIn(plural)).validate(resource).stream()
        .map(FieldViolation::describe)
        .toList();
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
        Arguments.of("{\"mesh\":\"m\"}", "spec: Invalid value: \"object\": exactly one of node"),
        Arguments.of(
            "{\"mesh\":\"m\",\"node\":\"n\"," + KEY + "}",
            "spec: Invalid value: \"object\": exactly one of node"),
        Arguments.of("{\"mesh\":\"m\",\"publicKey\":\"not-a-key\"}", "in body should match '^"),
        Arguments.of(
            "{\"mesh\":\"m\",\"publicKey\":\"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Db=\"}",
            "in body should match '^"),
        Arguments.of("{" + KEY + "}", "spec.mesh: Required value"),
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
            "in body should match '^"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"endpoint\":\"nohost\"}", "in body should match '^"),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"address\":\"10.100.0.7\"}", null),
        Arguments.of("{\"mesh\":\"m\"," + KEY + ",\"address\":\"fd00:100::7\"}", null),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"10.100.0.7/32\"}",
            "spec.address: Invalid value: \"string\": address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"10.100.0.300\"}",
            "spec.address: Invalid value: \"string\": address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"::ffff:10.0.0.1\"}",
            "spec.address: Invalid value: \"string\": address must be an IPv4 or IPv6 address"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"192.168.10.0/24\",\"fd00:10::/64\"]}",
            null),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"192.168.10.0/33\"]}",
            "spec.allowedIPs: Invalid value: \"array\": allowedIPs: every entry must be a CIDR"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"192.168.10.0\"]}",
            "spec.allowedIPs: Invalid value: \"array\": allowedIPs: every entry must be a CIDR"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"allowedIPs\":[\"" + "1".repeat(44) + "\"]}",
            "spec.allowedIPs[0]: Too long: may not be more than 43 bytes"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"address\":\"" + "a".repeat(40) + "\"}",
            "spec.address: Too long: may not be more than 39 bytes"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"persistentKeepalive\":65536}",
            "should be less than or equal to 65535"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"persistentKeepalive\":-1}",
            "spec.persistentKeepalive: Invalid value: -1: spec.persistentKeepalive in body should be greater than or equal to 0"),
        Arguments.of(
            "{\"mesh\":\"m\"," + KEY + ",\"presharedKeySecretRef\":{\"name\":\"s\"}}",
            "spec.presharedKeySecretRef.namespace: Required value"));
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
  static final String DUAL = "{\"addressPools\":[\"10.100.0.0/16\",\"fd00:100::/64\"],";

  static Stream<Arguments> meshes() {
    return Stream.of(
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\"]}", null),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"interval\":\"720h\"}}", null),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"interval\":\"1m\","
                + "\"externalGracePeriod\":\"0s\"}}",
            null),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"interval\":\"720s\"}}", null),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"interval\":\"720ms\"}}",
            "interval must be at least 1m"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"interval\":\"59s\"}}",
            "interval must be at least 1m"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"interval\":\"720\"}}",
            "spec.keyRotation.interval: Invalid value"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"keyRotation\":{\"externalGracePeriod\":\"7d\"}}",
            "spec.keyRotation.externalGracePeriod: Invalid value"),
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\",\"fd00:100::/64\"],\"mtu\":1420}", null),
        Arguments.of(
            "{\"addressPools\":[]}",
            "spec.addressPools: Invalid value: 0: spec.addressPools in body should have at least 1 items"),
        Arguments.of("{}", "spec.addressPools: Required value"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0\"]}", "addressPools: every entry must be a CIDR"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"mtu\":1000}",
            "mtu must be 0 (the node's uplink MTU minus 80) or between 1280 and 9000"),
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\"],\"mtu\":9001}", "mtu must be 0"),
        Arguments.of("{\"addressPools\":[\"10.100.0.0/16\"],\"mtu\":0}", null),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"listenPort\":0}",
            "spec.listenPort: Invalid value: 0: spec.listenPort in body should be greater than or equal to 1"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"interfaceName\":\"a-very-long-name0\"}",
            "in body should match '^"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"interfaceName\":\"wm/0\"}",
            "in body should match '^"),
        Arguments.of(
            "{\"addressPools\":[\"10.100.0.0/16\"],\"persistentKeepalive\":70000}",
            "should be less than or equal to 65535"),
        Arguments.of(
            DUAL + "\"externalPeerPools\":[\"10.100.255.0/24\",\"fd00:100::ffff:0/112\"]}", null),
        Arguments.of(POOL + "\"externalPeerPools\":[\"10.100.128.0/17\"]}", null),
        Arguments.of(
            POOL + "\"externalPeerPools\":[\"10.101.0.0/24\"]}",
            "spec: Invalid value: \"object\": externalPeerPools: each must lie inside the"
                + " addressPools entry of its address family and be smaller than it"),
        Arguments.of(
            POOL + "\"externalPeerPools\":[\"10.100.0.0/16\"]}",
            "externalPeerPools: each must lie inside the addressPools entry"),
        Arguments.of(
            POOL + "\"externalPeerPools\":[\"10.0.0.0/8\"]}",
            "externalPeerPools: each must lie inside the addressPools entry"),
        Arguments.of(
            POOL + "\"externalPeerPools\":[\"fd00:100::/112\"]}",
            "externalPeerPools: each must lie inside the addressPools entry"),
        Arguments.of(
            DUAL + "\"externalPeerPools\":[\"10.100.1.0/24\",\"10.100.2.0/24\"]}",
            "spec.externalPeerPools: Invalid value: \"array\": externalPeerPools: at most one IPv4"
                + " and one IPv6 CIDR"),
        Arguments.of(
            POOL + "\"externalPeerPools\":[\"10.100.255.0\"]}",
            "externalPeerPools: every entry must be a CIDR"),
        Arguments.of(
            DUAL
                + "\"externalPeerPools\":[\"10.100.1.0/24\",\"fd00:100::/112\",\"10.100.2.0/24\"]}",
            "spec.externalPeerPools: Too many: 3: must have at most 2 items"),
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
            "spec.topology.mode: Unsupported value: \"Mesh\": supported values: \"FullMesh\", \"Locations\""),
        Arguments.of(
            POOL + "\"topology\":{\"mode\":\"Locations\",\"intraLocation\":\"Plain\"}}",
            "spec.topology.intraLocation: Unsupported value: \"Plain\": supported values: \"Direct\", \"Encrypted\""),
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
            "topology.locationLabel must be a label key"),
        Arguments.of(POOL + "\"encryption\":\"Required\"}", null),
        Arguments.of(POOL + "\"encryption\":\"Preferred\"}", null),
        Arguments.of(
            POOL + "\"encryption\":\"required\"}",
            "spec.encryption: Unsupported value: \"required\": supported values: \"Preferred\", \"Required\""),
        Arguments.of(
            POOL + "\"encryption\":\"Strict\"}", "spec.encryption: Unsupported value: \"Strict\""),
        Arguments.of(POOL + "\"encryption\":true}", "spec.encryption"),
        Arguments.of(POOL + "\"natTraversal\":{}}", null),
        Arguments.of(POOL + "\"natTraversal\":{\"mode\":\"Off\"}}", null),
        Arguments.of(
            POOL
                + "\"natTraversal\":{\"mode\":\"Auto\",\"relays\":[\"node-1\",\"gw.example.com\"]}}",
            null),
        Arguments.of(POOL + "\"natTraversal\":{\"relays\":[\"node-1\"]}}", null),
        Arguments.of(
            POOL + "\"natTraversal\":{\"mode\":\"Relay\"}}",
            "spec.natTraversal.mode: Unsupported value: \"Relay\": supported values: \"Auto\", \"Off\""),
        Arguments.of(
            POOL + "\"natTraversal\":{\"mode\":\"Off\",\"relays\":[\"node-1\"]}}",
            "natTraversal.relays apply only with mode: Auto"),
        Arguments.of(
            POOL + "\"natTraversal\":{\"relays\":[\"node-1\",\"node-1\"]}}",
            "natTraversal.relays must not name a node twice"),
        Arguments.of(
            POOL + "\"natTraversal\":{\"relays\":[\"Node_1\"]}}",
            "natTraversal.relays must be Node names"),
        Arguments.of(
            POOL + "\"natTraversal\":{\"relays\":[\"-node\"]}}",
            "natTraversal.relays must be Node names"),
        Arguments.of(
            POOL
                + "\"natTraversal\":{\"relays\":["
                + java.util.stream.IntStream.rangeClosed(1, 17)
                    .mapToObj(i -> "\"n" + i + "\"")
                    .collect(java.util.stream.Collectors.joining(","))
                + "]}}",
            "spec.natTraversal.relays"));
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
}
