package dev.wiremesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Fabric8 mock API server (CRUD mode) holding the WireMesh CRDs and the fixture mesh
 * (src/test/resources/fixture/mesh.yaml), a kubeconfig pointing at it, and a way to run the plugin
 * against it as a user would: by command line, with the output and exit status captured.
 */
final class FixtureCluster implements AutoCloseable {

  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  final KubernetesMockServer server;
  final KubernetesClient client;
  final Path kubeconfig;

  /** The outcome of one command line. */
  record Run(int status, String out, byte[] bytes, String err) {}

  FixtureCluster(boolean crds, boolean fixture) throws IOException {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    if (crds) {
      for (String f : List.of("wireguardmeshes", "wireguardpeers")) {
        try (InputStream in =
            Files.newInputStream(Path.of("..", "crds", f + ".wiremesh.dev-v1.yml"))) {
          client
              .resource(
                  client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
              .create();
        }
      }
    }
    if (fixture) {
      load(Path.of("src/test/resources/fixture/mesh.yaml"));
    }
    kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: fixture
          cluster:
            server: http://127.0.0.1:%d
        - name: nowhere
          cluster:
            server: http://127.0.0.1:1
        users:
        - name: user
          user: {}
        contexts:
        - name: fixture
          context: {cluster: fixture, user: user}
        - name: nowhere
          context: {cluster: nowhere, user: user}
        current-context: fixture
        """
            .formatted(server.getPort()));
  }

  /** Creates every document of {@code file}, with its status, as the operator would leave it. */
  void load(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
    }
    for (JsonNode d : docs) {
      String kind = d.path("kind").asText();
      HasMetadata r =
          switch (kind) {
            case "Node" -> YAML.treeToValue(d, Node.class);
            case "Secret" -> withData(YAML.treeToValue(d, Secret.class));
            case "WireGuardMesh" -> YAML.treeToValue(d, WireGuardMesh.class);
            case "WireGuardPeer" -> YAML.treeToValue(d, WireGuardPeer.class);
            default -> throw new IllegalArgumentException(kind);
          };
      HasMetadata created = client.resource(r).create();
      if (r instanceof WireGuardMesh m && m.getStatus() != null) {
        ((WireGuardMesh) created).setStatus(m.getStatus());
        client.resource(created).updateStatus();
      } else if (r instanceof WireGuardPeer p && p.getStatus() != null) {
        ((WireGuardPeer) created).setStatus(p.getStatus());
        client.resource(created).updateStatus();
      }
    }
  }

  /** As the API server does: stringData goes into data. */
  private static Secret withData(Secret s) {
    if (s.getStringData() != null) {
      Map<String, String> data = s.getData() == null ? new HashMap<>() : new HashMap<>(s.getData());
      s.getStringData()
          .forEach(
              (k, v) ->
                  data.put(
                      k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
      s.setData(data);
      s.setStringData(null);
    }
    return s;
  }

  Run run(String... args) {
    return run(false, "", args);
  }

  /** Runs {@code kubectl wiremesh ARGS} with --kubeconfig pointing here. */
  Run run(boolean terminal, String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--kubeconfig")) {
      all.add("--kubeconfig");
      all.add(kubeconfig.toString());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    Terminal t =
        new Terminal(
            o,
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            o,
            terminal,
            terminal,
            Map.of(),
            Clock.fixed(NOW, ZoneOffset.UTC));
    int status = Main.run(t, Connector.kubeconfig(), all.toArray(String[]::new));
    o.flush();
    return new Run(
        status,
        out.toString(StandardCharsets.UTF_8),
        out.toByteArray(),
        err.toString(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
