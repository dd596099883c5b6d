package dev.wiremesh.e2e.scenarios;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import dev.wiremesh.api.agent.AgentApi;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentHttp;
import dev.wiremesh.operator.pki.AgentTls;
import dev.wiremesh.operator.pki.IssuedCertificate;
import dev.wiremesh.operator.pki.Pem;
import dev.wiremesh.operator.pki.PkiSecrets;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The same scenarios on K3s: a K3s server (node 1, the gateway) with agents joining as more nodes,
 * the operator and agent images loaded into each node, the chart installed with helm-java, and an
 * external peer in its own container running wireguard-go. Runs wherever Docker is available and
 * the images were built ({@code ./mvnw -B package -DskipTests -Pimages
 * -Dquarkus.container-image.push=false}); says plainly that it was skipped otherwise.
 */
class K3sMeshIT extends MeshScenarios {

  static final DockerImageName K3S = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
  static final String VERSION = System.getProperty("wiremesh.version", "0.1.0-SNAPSHOT");
  static final String OPERATOR_IMAGE = "ghcr.io/wiremesh/wiremesh-operator:" + VERSION;
  static final String AGENT_IMAGE = "ghcr.io/wiremesh/wiremesh-node-agent:" + VERSION;
  static final String NS = "wiremesh-system";

  static Network network;
  static K3sContainer server;
  static final Map<String, GenericContainer<?>> NODES = new LinkedHashMap<>();
  static KubernetesClient client;
  static Under under;

  /** Why the scenarios cannot run here, or null. */
  static String skipped;

  /** Each scenario reports itself skipped, with the reason, so the build's summary counts them. */
  @BeforeEach
  void runnable() {
    Assumptions.assumeTrue(skipped == null, () -> "K3s scenarios skipped: " + skipped);
  }

  @BeforeAll
  static void start() throws Exception {
    try {
      cluster();
    } catch (Skip s) {
      skipped = s.getMessage();
      System.err.println();
      System.err.println("*** K3s scenarios SKIPPED: " + skipped + " ***");
      System.err.println();
    }
  }

  /** Thrown when the K3s cluster cannot be had here. */
  static final class Skip extends Exception {
    Skip(String why) {
      super(why);
    }
  }

  static void cluster() throws Exception {
    boolean docker = DockerClientFactory.instance().isDockerAvailable();
    skipLoudly(
        docker,
        "no Docker on this machine, so no K3s: the same scenarios ran on the local mesh"
            + " (LocalMeshIT) instead");
    var images = DockerClientFactory.instance().client().listImagesCmd().exec();
    boolean built =
        images.stream()
                .filter(i -> i.getRepoTags() != null)
                .flatMap(i -> java.util.Arrays.stream(i.getRepoTags()))
                .filter(t -> t.equals(OPERATOR_IMAGE) || t.equals(AGENT_IMAGE))
                .count()
            == 2;
    skipLoudly(
        built,
        "the images "
            + OPERATOR_IMAGE
            + " and "
            + AGENT_IMAGE
            + " are not in the local Docker daemon; build them with ./mvnw -B package -DskipTests"
            + " -Pimages -Dquarkus.container-image.push=false");

    network = Network.newNetwork();
    server =
        new K3sContainer(K3S)
            .withNetwork(network)
            .withNetworkAliases("k3s")
            .withCommand("server", "--disable=traefik", "--tls-san=k3s");
    server.start();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
            .build();
    String first = nodeNameOf(server);
    NODES.put(first, server);
    loadImages(server);
    client.nodes().withName(first).edit(n -> label(n, "wiremesh.dev/gateway", "true"));
    for (int i = 0; i < 2; i++) {
      joinNode();
    }

    Path chart = Path.of(System.getProperty("wiremesh.root", "..")).resolve("helm/wiremesh");
    new Helm(chart)
        .install()
        .withName("wiremesh")
        .withNamespace(NS)
        .createNamespace()
        .withKubeConfigContents(server.getKubeConfigYaml())
        .set(
            "operator.image.repository",
            OPERATOR_IMAGE.substring(0, OPERATOR_IMAGE.lastIndexOf(':')))
        .set("operator.image.tag", VERSION)
        .set("operator.image.pullPolicy", "Never")
        .set("operator.resync", "5s")
        .set("agent.image.repository", AGENT_IMAGE.substring(0, AGENT_IMAGE.lastIndexOf(':')))
        .set("agent.image.tag", VERSION)
        .set("agent.image.pullPolicy", "Never")
        .withTimeout(300)
        .call();
    try (InputStream in =
        Files.newInputStream(
            Path.of(System.getProperty("wiremesh.root", ".."))
                .resolve("crds/examples/mesh.yaml"))) {
      client.load(in).createOrReplace();
    }
    under = new Under();
  }

  static void skipLoudly(boolean condition, String why) throws Skip {
    if (!condition) {
      throw new Skip(why);
    }
  }

  @AfterAll
  static void stop() {
    NODES.values().stream().filter(c -> c != server).forEach(GenericContainer::stop);
    if (server != null) {
      server.stop();
    }
    if (network != null) {
      network.close();
    }
  }

  @Override
  protected MeshUnderTest mesh() {
    return under;
  }

  static Node label(Node n, String key, String value) {
    n.getMetadata().getLabels().put(key, value);
    return n;
  }

  static String nodeNameOf(GenericContainer<?> c) throws Exception {
    return c.execInContainer("hostname").getStdout().strip();
  }

  /** The images, from the local Docker daemon into the node's containerd. */
  static void loadImages(GenericContainer<?> node) throws Exception {
    for (String image : List.of(OPERATOR_IMAGE, AGENT_IMAGE)) {
      Path tar = Files.createTempFile("wiremesh-image", ".tar");
      try (InputStream in = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
        Files.copy(in, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      node.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
      var r = node.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
      if (r.getExitCode() != 0) {
        throw new IllegalStateException("cannot import " + image + ": " + r.getStderr());
      }
      Files.delete(tar);
    }
  }

  /** A K3s agent joins the server as one more node; its name. */
  @SuppressWarnings("resource")
  static String joinNode() throws Exception {
    String token =
        server.execInContainer("cat", "/var/lib/rancher/k3s/server/node-token").getStdout().strip();
    GenericContainer<?> agent =
        new GenericContainer<>(K3S)
            .withNetwork(network)
            .withPrivilegedMode(true)
            .withEnv("K3S_URL", "https://k3s:6443")
            .withEnv("K3S_TOKEN", token)
            .withTmpFs(Map.of("/run", "rw", "/var/run", "rw"))
            .withCommand("agent");
    agent.start();
    String name = nodeNameOf(agent);
    NODES.put(name, agent);
    loadImages(agent);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> client.nodes().withName(name).get() != null);
    return name;
  }

  static final class Under implements MeshUnderTest {

    @Override
    public KubernetesClient client() {
      return client;
    }

    @Override
    public Duration resync() {
      return Duration.ofSeconds(5);
    }

    @Override
    public List<String> nodes() {
      return new ArrayList<>(NODES.keySet());
    }

    @Override
    public String addNode() throws Exception {
      return joinNode();
    }

    @Override
    public void removeNode(String node) {
      GenericContainer<?> c = NODES.remove(node);
      client.nodes().withName(node).delete();
      c.stop();
    }

    private Pod agentPod(String node) {
      return client
          .pods()
          .inNamespace(NS)
          .withLabel("app.kubernetes.io/name", "wiremesh-agent")
          .list()
          .getItems()
          .stream()
          .filter(p -> node.equals(p.getSpec().getNodeName()))
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
          .orElse(null);
    }

    @Override
    public void killAgent(String node) {
      client.pods().inNamespace(NS).resource(agentPod(node)).withGracePeriod(0).delete();
    }

    @Override
    public void startAgent(String node) {
      // The DaemonSet starts a new agent Pod on its own.
    }

    @Override
    public boolean agentReady(String node) {
      Pod p = agentPod(node);
      return p != null
          && p.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void scaleOperator(int replicas) {
      client.apps().deployments().inNamespace(NS).withName("wiremesh-operator").scale(replicas);
    }

    @Override
    public void stopOperator() {
      scaleOperator(0);
    }

    @Override
    public void killOperator() {
      scaleOperator(0);
      client
          .pods()
          .inNamespace(NS)
          .withLabel("app.kubernetes.io/component", "operator")
          .withGracePeriod(0)
          .delete();
    }

    @Override
    public void startOperator() {
      scaleOperator(1);
    }

    private Map<String, String> addresses() {
      Map<String, String> out = new TreeMap<>();
      for (WireGuardPeer p : client.resources(WireGuardPeer.class).list().getItems()) {
        if (p.getSpec().getNode() != null
            && p.getStatus() != null
            && p.getStatus().getAddresses() != null) {
          p.getStatus().getAddresses().forEach(a -> out.put(a, p.getSpec().getNode()));
        }
      }
      return out;
    }

    @Override
    public PingMatrix pingMatrix() {
      return PingMatrix.measure(nodes(), addresses(), (src, addr) -> pingTimes(src, addr, 3));
    }

    @Override
    public PingMatrix awaitUp(Duration timeout) {
      Instant end = Instant.now().plus(timeout);
      PingMatrix m = pingMatrix();
      while (!(m.complete() && m.result().size() == expected()) && Instant.now().isBefore(end)) {
        m = pingMatrix();
      }
      return m;
    }

    private int expected() {
      int n = nodes().size();
      return n * (n - 1) * 2;
    }

    private boolean pingTimes(String node, String address, int attempts) {
      for (int i = 0; i < attempts; i++) {
        if (ping(node, address)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean ping(String fromNode, String address) {
      try {
        return NODES
                .get(fromNode)
                .execInContainer("ping", "-c", "1", "-W", "1", address)
                .getExitCode()
            == 0;
      } catch (Exception e) {
        return false;
      }
    }

    @Override
    public dev.wiremesh.e2e.localmesh.PingMatrix.Flow pingFlow(
        String fromNode, String address, int count, int intervalMillis) {
      try {
        var r =
            NODES
                .get(fromNode)
                .execInContainer(
                    "ping",
                    "-c",
                    Integer.toString(count),
                    "-i",
                    String.format(java.util.Locale.ROOT, "%.3f", intervalMillis / 1000.0),
                    "-W",
                    "1",
                    address);
        return dev.wiremesh.e2e.localmesh.PingMatrix.parseFlow(r.getStdout());
      } catch (Exception e) {
        throw new IllegalStateException("ping from " + fromNode + " failed", e);
      }
    }

    @Override
    public String wgPublicKey(String node) throws Exception {
      var r = NODES.get(node).execInContainer("wg", "show", "wm0", "public-key");
      if (r.getExitCode() != 0) {
        throw new IllegalStateException("wg show on " + node + ": " + r.getStderr());
      }
      return r.getStdout().strip();
    }

    @Override
    public Set<String> agentKeyFiles(String node) throws Exception {
      var r = NODES.get(node).execInContainer("sh", "-c", "ls /var/lib/wiremesh | grep '\\.key$'");
      return new java.util.TreeSet<>(r.getStdout().lines().toList());
    }

    private String hostIp(String node) {
      return NODES
          .get(node)
          .getContainerInfo()
          .getNetworkSettings()
          .getNetworks()
          .values()
          .iterator()
          .next()
          .getIpAddress();
    }

    @Override
    public Set<String> agentPeers(String node) {
      var ca = client.secrets().inNamespace(NS).withName(PkiSecrets.CA_SECRET).get();
      var op = client.secrets().inNamespace(NS).withName(PkiSecrets.OPERATOR_SECRET).get();
      var tls =
          AgentTls.clientContext(
              Pem.certificate(decode(ca.getData().get("ca.crt"))),
              new IssuedCertificate(
                  Pem.certificate(decode(op.getData().get("tls.crt"))),
                  Pem.privateKey(decode(op.getData().get("tls.key")))));
      try (AgentHttp http =
          new AgentHttp(tls, new ObjectMapper(), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
        DeviceStatus s =
            http.get(
                new Agent(node, URI.create("https://" + hostIp(node) + ":9443")),
                AgentApi.STATUS,
                DeviceStatus.class);
        return s.peers().stream()
            .map(PeerStatus::publicKey)
            .collect(Collectors.toCollection(TreeSet::new));
      } catch (Exception e) {
        throw new IllegalStateException("no status from the agent on " + node, e);
      }
    }

    private static String decode(String b64) {
      return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    @Override
    public double configApplies(String node) {
      try {
        String body =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://" + hostIp(node) + ":9090/q/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        return body.lines()
            .filter(l -> l.startsWith("wiremesh_config_applies_total"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .findFirst()
            .orElse(0);
      } catch (Exception e) {
        throw new IllegalStateException("no metrics from " + node, e);
      }
    }

    @Override
    @SuppressWarnings("resource")
    public ExternalHost externalHost() {
      GenericContainer<?> host =
          new GenericContainer<>(DockerImageName.parse("alpine:3.20"))
              .withNetwork(network)
              .withPrivilegedMode(true)
              .withCommand("sleep", "infinity");
      host.start();
      return new ExternalHost() {
        @Override
        public void up(String wgQuickConfig) throws Exception {
          exec("apk", "add", "--no-cache", "wireguard-tools", "wireguard-go", "iputils");
          host.copyFileToContainer(
              org.testcontainers.images.builder.Transferable.of(wgQuickConfig, 0600),
              "/etc/wireguard/wmext0.conf");
          exec(
              "env",
              "WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go",
              "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1",
              "wg-quick",
              "up",
              "wmext0");
        }

        private void exec(String... cmd) throws Exception {
          var r = host.execInContainer(cmd);
          if (r.getExitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.getStderr());
          }
        }

        @Override
        public boolean ping(String address) {
          try {
            return host.execInContainer("ping", "-c", "1", "-W", "1", address).getExitCode() == 0;
          } catch (Exception e) {
            return false;
          }
        }

        @Override
        public void down() {
          host.stop();
        }
      };
    }

    @Override
    public void close() {
      stop();
    }
  }
}
