package dev.wiremesh.e2e.localmesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded API server of the local mesh: the Fabric8 mock server in CRUD mode (objects are
 * stored, listed, watched, patched and deleted like on a real API server, without authentication),
 * with the CRDs' OpenAPI schemas and CEL rules enforced on every create, update and patch of their
 * resources (CrdAdmission: refused with a Status of reason Invalid, nothing stored), plus what
 * kubectl and the Operator SDK ask before they start — API discovery for the core group, the
 * WireMesh CRDs and the groups the operator uses, and a SelfSubjectRulesReview that grants
 * everything (this server has no authorization, so that answer is the truth).
 *
 * <p>It listens on loopback only, over plain HTTP: it is a development cluster for one machine.
 */
public final class ApiServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The mock server logs every request at INFO: kept to warnings (a strong reference holds it). */
  private static final java.util.logging.Logger QUIET = quiet();

  private static java.util.logging.Logger quiet() {
    var l = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<CustomResourceDefinition> crds;
  private final CrdAdmission admission;
  private final Map<String, String> fixed = new HashMap<>();
  private String review;

  private static final String NOT_FOUND =
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"the"
          + " server could not find the requested resource\",\"reason\":\"NotFound\",\"code\":404}";

  private static final String RULES_REVIEW =
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  /**
   * Starts the server on {@code port} (0: any free port) and installs {@code crds}.
   *
   * @param crds the CRD manifests (crds/*.yml)
   */
  public ApiServer(int port, List<Path> crds) throws IOException {
    this.crds = crds.stream().map(ApiServer::loadCrd).toList();
    this.admission = new CrdAdmission(this.crds);
    expectDiscovery();
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new Front(), false);
    server.init(InetAddress.getLoopbackAddress(), port);
    client = server.createClient();
    client
        .getKubernetesSerialization()
        .registerKubernetesResource(dev.wiremesh.api.crd.v1alpha1.WireGuardMesh.class);
    client
        .getKubernetesSerialization()
        .registerKubernetesResource(dev.wiremesh.api.crd.v1alpha1.WireGuardPeer.class);
    for (CustomResourceDefinition crd : this.crds) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  private static CustomResourceDefinition loadCrd(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read CRD " + file + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** A client of this server (owned by it: closed with it). */
  public KubernetesClient client() {
    return client;
  }

  /** Writes a kubeconfig for this server (context "wiremesh-local"), readable by root only. */
  public Path writeKubeconfig(Path file) throws IOException {
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: wiremesh-local
          cluster:
            server: %s
        users:
        - name: wiremesh-local
          user: {}
        contexts:
        - name: wiremesh-local
          context:
            cluster: wiremesh-local
            user: wiremesh-local
            namespace: wiremesh-system
        current-context: wiremesh-local
        """
            .formatted(url());
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private void expectDiscovery() {
    always("/api", versions());
    always("/api/v1", coreResources());
    ArrayNode groups = JSON.createArrayNode();
    group(groups, "apiextensions.k8s.io", "v1");
    group(groups, "coordination.k8s.io", "v1");
    group(groups, "authorization.k8s.io", "v1");
    for (CustomResourceDefinition crd : crds) {
      String g = crd.getSpec().getGroup();
      String v = crd.getSpec().getVersions().getFirst().getName();
      if (groups.findValuesAsText("name").stream().noneMatch(g::equals)) {
        group(groups, g, v);
      }
    }
    ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    list.set("groups", groups);
    always("/apis", list);
    always(
        "/apis/apiextensions.k8s.io/v1",
        resources(
            "apiextensions.k8s.io/v1",
            resource("customresourcedefinitions", "CustomResourceDefinition", false, "crd")));
    always(
        "/apis/coordination.k8s.io/v1",
        resources("coordination.k8s.io/v1", resource("leases", "Lease", true)));
    always(
        "/apis/authorization.k8s.io/v1",
        resources(
            "authorization.k8s.io/v1",
            resource("selfsubjectrulesreviews", "SelfSubjectRulesReview", false)));
    // Several CRDs share a group and version: one resource list each, with all of them.
    Map<String, List<ObjectNode>> byGroupVersion = new java.util.TreeMap<>();
    for (CustomResourceDefinition crd : crds) {
      var spec = crd.getSpec();
      String gv = spec.getGroup() + "/" + spec.getVersions().getFirst().getName();
      boolean namespaced = "Namespaced".equals(spec.getScope());
      ObjectNode r =
          resource(
              spec.getNames().getPlural(),
              spec.getNames().getKind(),
              namespaced,
              spec.getNames().getShortNames() == null
                  ? new String[0]
                  : spec.getNames().getShortNames().toArray(String[]::new));
      r.put("singularName", spec.getNames().getSingular());
      List<ObjectNode> items = byGroupVersion.computeIfAbsent(gv, k -> new java.util.ArrayList<>());
      items.add(r);
      items.add(
          resource(spec.getNames().getPlural() + "/status", spec.getNames().getKind(), namespaced));
    }
    byGroupVersion.forEach(
        (gv, items) -> always("/apis/" + gv, resources(gv, items.toArray(ObjectNode[]::new))));
    // Everything is allowed here: the Operator SDK checks before leader election that it may use
    // its Lease.
    ObjectNode review =
        JSON.createObjectNode()
            .put("apiVersion", "authorization.k8s.io/v1")
            .put("kind", "SelfSubjectRulesReview");
    ObjectNode status = review.putObject("status");
    ObjectNode rule = status.putArray("resourceRules").addObject();
    rule.putArray("verbs").add("*");
    rule.putArray("apiGroups").add("*");
    rule.putArray("resources").add("*");
    status.putArray("nonResourceRules");
    status.put("incomplete", false);
    this.review = review.toString();
  }

  private void always(String path, JsonNode body) {
    fixed.put(path, body.toString());
  }

  /**
   * Answers discovery (whatever the query string: kubectl adds {@code ?timeout=32s}) and the rules
   * review itself; everything else goes to the CRUD store.
   */
  private final class Front extends Dispatcher {
    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      int q = path.indexOf('?');
      String bare = q < 0 ? path : path.substring(0, q);
      if ("GET".equals(request.getMethod()) && fixed.containsKey(bare)) {
        return json(200, fixed.get(bare));
      }
      if ("POST".equals(request.getMethod()) && bare.equals(RULES_REVIEW)) {
        return json(201, review);
      }
      if (bare.equals("/openapi/v2")) {
        // An empty OpenAPI v2 document (an empty protobuf message): kubectl's client-side
        // validation finds no schema and leaves the checks to this server, which makes them for
        // WireMesh resources. (Without it kubectl would fail to parse the CRUD store's answer.)
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
            .setBody("");
      }
      if (bare.startsWith("/openapi/")) {
        return json(404, NOT_FOUND);
      }
      MockResponse response;
      if (isWrite(request)) {
        // Checked and stored as one step, so no other write slips in between.
        synchronized (this) {
          var refusal = admission.refusal(request, bare, this::stored);
          if (refusal.isPresent()) {
            return json(422, refusal.get());
          }
          response = crud.dispatch(request);
        }
      } else {
        response = crud.dispatch(request);
      }
      CustomResourceDefinition crd = tablePrinted(request, bare);
      if (crd != null && response.code() == 200) {
        return json(
            200, PeerTable.table(crd, response.getBody().readUtf8(), java.time.Instant.now()));
      }
      return response;
    }

    private static boolean isWrite(RecordedRequest r) {
      return switch (r.getMethod()) {
        case "POST", "PUT", "PATCH" -> true;
        default -> false;
      };
    }

    /** The object stored at {@code path}, or null. */
    private JsonNode stored(String path) {
      MockResponse r = crud.handleGet(path);
      if (r.code() != 200) {
        return null;
      }
      try {
        return JSON.readTree(r.getBody().readUtf8());
      } catch (IOException e) {
        return null;
      }
    }

    /**
     * The CRD whose resources a GET asks to have printed as a Table (kubectl get), or null: a list
     * or a single resource, not a watch.
     */
    private CustomResourceDefinition tablePrinted(RecordedRequest request, String bare) {
      String accept = request.getHeader("Accept");
      if (!"GET".equals(request.getMethod())
          || accept == null
          || !accept.contains("as=Table")
          || request.getPath().contains("watch=")) {
        return null;
      }
      for (CustomResourceDefinition crd : crds) {
        var spec = crd.getSpec();
        String base =
            "/apis/" + spec.getGroup() + "/" + spec.getVersions().getFirst().getName() + "/";
        if (bare.startsWith(base)) {
          String rest = bare.substring(base.length());
          if (rest.startsWith("namespaces/")) {
            String[] parts = rest.split("/", 3);
            rest = parts.length == 3 ? parts[2] : "";
          }
          String[] parts = rest.split("/");
          if (parts[0].equals(spec.getNames().getPlural()) && parts.length <= 2) {
            return crd;
          }
        }
      }
      return null;
    }

    private static MockResponse json(int code, String body) {
      return new MockResponse()
          .setResponseCode(code)
          .setHeader("Content-Type", "application/json")
          .setBody(body);
    }

    @Override
    public void shutdown() {
      crud.shutdown();
    }
  }

  private static ObjectNode versions() {
    ObjectNode v = JSON.createObjectNode().put("kind", "APIVersions");
    v.putArray("versions").add("v1");
    ObjectNode cidr = v.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0").put("serverAddress", "127.0.0.1");
    return v;
  }

  private static ObjectNode coreResources() {
    return resources(
        "v1",
        resource("namespaces", "Namespace", false, "ns"),
        resource("nodes", "Node", false, "no"),
        resource("pods", "Pod", true, "po"),
        resource("secrets", "Secret", true),
        resource("configmaps", "ConfigMap", true, "cm"),
        resource("services", "Service", true, "svc"),
        resource("serviceaccounts", "ServiceAccount", true, "sa"),
        resource("events", "Event", true, "ev"));
  }

  private static void group(ArrayNode groups, String name, String version) {
    ObjectNode g = groups.addObject().put("name", name);
    ObjectNode v = JSON.createObjectNode().put("groupVersion", name + "/" + version);
    v.put("version", version);
    g.putArray("versions").add(v);
    g.set("preferredVersion", v.deepCopy());
  }

  private static ObjectNode resources(String groupVersion, ObjectNode... items) {
    ObjectNode list =
        JSON.createObjectNode()
            .put("kind", "APIResourceList")
            .put("apiVersion", "v1")
            .put("groupVersion", groupVersion);
    ArrayNode arr = list.putArray("resources");
    for (ObjectNode i : items) {
      arr.add(i);
    }
    return list;
  }

  private static ObjectNode resource(
      String plural, String kind, boolean namespaced, String... shortNames) {
    ObjectNode r =
        JSON.createObjectNode()
            .put("name", plural)
            .put("singularName", "")
            .put("namespaced", namespaced)
            .put("kind", kind);
    ArrayNode verbs = r.putArray("verbs");
    for (String v :
        List.of(
            "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")) {
      verbs.add(v);
    }
    if (shortNames.length > 0) {
      ArrayNode s = r.putArray("shortNames");
      for (String n : shortNames) {
        s.add(n);
      }
    }
    return r;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
