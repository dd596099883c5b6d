package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.JavaApp;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.MeshNode;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.e2e.localmesh.Sh;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The scenarios on the local mesh: the embedded API server, the real operator and three real node
 * agents in network namespaces, started exactly as {@code wiremesh-local up} starts them (its own
 * names and subnet, so it can run beside a user's mesh). Needs root.
 */
class LocalMeshIT extends MeshScenarios {

  static LocalMesh mesh;
  static Under under;

  @BeforeAll
  static void start() throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path state = Files.createTempDirectory("wiremesh-local-it");
    mesh =
        LocalMesh.start(
            new LocalMesh.Options(
                home, state, 3, "wmt", "172.30.99", 0, Duration.ofSeconds(5), true));
    under = new Under();
    keySampler.scheduleWithFixedDelay(LocalMeshIT::sampleNodeKeys, 0, 500, TimeUnit.MILLISECONDS);
  }

  @AfterAll
  static void stop() {
    keySampler.shutdownNow();
    if (mesh != null) {
      mesh.close();
    }
  }

  /** Every node private key seen in the agents' state folders (rotations make new ones). */
  static final Set<String> nodeKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static final ScheduledExecutorService keySampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("key-sampler").unstarted(r));

  static void sampleNodeKeys() {
    try (var files = Files.walk(mesh.options().stateDir(), 3)) {
      for (Path f :
          files
              .filter(f -> f.toString().endsWith(".key"))
              .filter(f -> f.getParent().getFileName().toString().equals("state"))
              .toList()) {
        try {
          String key = Files.readString(f).strip();
          if (key.matches("[A-Za-z0-9+/]{43}=")) { // not a previous key being zeroed
            nodeKeys.add(key);
          }
        } catch (java.io.IOException e) {
          // replaced or deleted while read: the next round sees what took its place
        }
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // a node folder removed while walked: the next round
    }
  }

  /**
   * Last: no private key of any node (every key its agent held during the run, rotated ones and
   * next keys included), of the external peers the scenarios made, nor the example's preshared key,
   * appears in base64 or hex in any log of the run (operators, agents) or in any object the API
   * server holds (WireMesh resources, Events, Pods, Nodes, Leases, ConfigMaps; Secrets too for
   * private keys — the preshared key belongs in its own Secret and the peers' wg-quick files).
   */
  @Test
  @Order(99)
  void noPrivateOrPresharedKeyAppearsInAnyLogOrResource() throws Exception {
    sampleNodeKeys();
    Map<String, String> privateKeys = new java.util.TreeMap<>();
    nodeKeys.forEach(k -> privateKeys.put(k, "a node's private key"));
    GENERATED_PRIVATE_KEYS.forEach(k -> privateKeys.put(k, "an external peer's private key"));
    assertThat(nodeKeys)
        .as("node keys seen: every node's, and those the rotations made")
        .hasSizeGreaterThanOrEqualTo(mesh.nodes().size());
    Map<String, String> psks =
        Map.of(
            plainData(
                    mesh.client()
                        .secrets()
                        .inNamespace(LocalMesh.NAMESPACE)
                        .withName("laptop-psk")
                        .get())
                .get("presharedKey")
                .strip(),
            "the example's preshared key");

    // The operators' logs beside the nodes' folders, each agent's in its node's folder (listed,
    // not walked: an agent may be replacing a file of its state meanwhile).
    Map<String, String> logs = new java.util.TreeMap<>();
    try (var top = Files.list(mesh.options().stateDir())) {
      for (Path f : top.toList()) {
        Path log = f.getFileName().toString().endsWith(".log") ? f : f.resolve("agent.log");
        if (Files.isRegularFile(log)) {
          logs.put(log.toString(), Files.readString(log));
        }
      }
    }
    assertThat(logs.keySet())
        .as("the logs of both operators and of every agent")
        .anyMatch(f -> f.endsWith("operator.log"))
        .anyMatch(f -> f.endsWith("agent.log"));
    var c = mesh.client();
    var json = c.getKubernetesSerialization();
    Map<String, String> objects = new java.util.TreeMap<>();
    for (String kind : List.of("WireGuardMesh", "WireGuardPeer")) {
      c.genericKubernetesResources("wiremesh.dev/v1alpha1", kind)
          .list()
          .getItems()
          .forEach(r -> objects.put(kind + " " + r.getMetadata().getName(), json.asJson(r)));
    }
    c.v1()
        .events()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(e -> objects.put("Event " + e.getMetadata().getName(), json.asJson(e)));
    c.pods()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("Pod " + o.getMetadata().getName(), json.asJson(o)));
    c.nodes()
        .list()
        .getItems()
        .forEach(o -> objects.put("Node " + o.getMetadata().getName(), json.asJson(o)));
    c.configMaps()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("ConfigMap " + o.getMetadata().getName(), json.asJson(o)));
    c.leases()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("Lease " + o.getMetadata().getName(), json.asJson(o)));
    Map<String, String> secrets = new java.util.TreeMap<>();
    for (var secret : c.secrets().inAnyNamespace().list().getItems()) {
      secrets.put(
          "Secret " + secret.getMetadata().getName(),
          json.asJson(secret) + "\n" + String.join("\n", plainData(secret).values()));
    }
    assertThat(objects.keySet()).anyMatch(k -> k.startsWith("WireGuardPeer "));

    List<String> hits = new java.util.ArrayList<>();
    Map<String, String> everywhere = new java.util.TreeMap<>(logs);
    everywhere.putAll(objects);
    hits.addAll(find(privateKeys, everywhere));
    hits.addAll(find(privateKeys, secrets));
    hits.addAll(find(psks, everywhere));
    System.out.printf(
        "key scan: %d private keys and 1 preshared key, in %d logs (%d KB) and %d objects: %d"
            + " hits%n",
        privateKeys.size(),
        logs.size(),
        logs.values().stream().mapToLong(String::length).sum() / 1024,
        objects.size() + secrets.size(),
        hits.size());
    assertThat(hits).as("secrets found where they must never be").isEmpty();
  }

  /** A Secret's values in plain text, from data (base64) and stringData (as applied). */
  static Map<String, String> plainData(io.fabric8.kubernetes.api.model.Secret s) {
    Map<String, String> out = new java.util.TreeMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> out.put(k, decode(s.getData(), k)));
    }
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    return out;
  }

  /** Where a key (base64 as wg prints it, or hex as UAPI does) occurs: "what in where, line n". */
  static List<String> find(Map<String, String> keys, Map<String, String> texts) {
    List<String> hits = new java.util.ArrayList<>();
    keys.forEach(
        (key, what) -> {
          String hex =
              java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(key));
          texts.forEach(
              (where, text) -> {
                for (String form : List.of(key, hex, hex.toUpperCase(java.util.Locale.ROOT))) {
                  int at = text.indexOf(form);
                  if (at >= 0) {
                    long line = text.substring(0, at).lines().count();
                    // The key itself stays out of the report: its first characters identify it.
                    hits.add(
                        what + " " + key.substring(0, 6) + "... in " + where + ", line " + line);
                  }
                }
              });
        });
    return hits;
  }

  static String decode(Map<String, String> data, String key) {
    return new String(
        java.util.Base64.getDecoder().decode(data.get(key)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  protected MeshUnderTest mesh() {
    return under;
  }

  /**
   * Two replicas of the operator, as the chart's Deployment may run: only the Lease's holder
   * reconciles; when it stops, the other takes over from the cluster's state alone — the same
   * addresses, nothing pushed while nothing changed — and applies what changes next.
   */
  @Test
  @Order(7)
  void aSecondReplicaWaitsThenTakesOverWithoutPushingAndAppliesTheNextChange() throws Exception {
    var lease = mesh.client().leases().inNamespace(LocalMesh.NAMESPACE).withName(LEASE);
    String leader = lease.get().getSpec().getHolderIdentity();
    JavaApp standby = mesh.startOperatorReplica("operator-2");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(standby.log()).contains("started in"));
    await()
        .during(mesh.options().resync().plusSeconds(2))
        .atMost(mesh.options().resync().plusSeconds(10))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(Files.readString(standby.log()))
                  .as("the standby does not reconcile while the other leads")
                  .doesNotContain("Started event processing");
              assertThat(lease.get().getSpec().getHolderIdentity()).isEqualTo(leader);
            });

    Map<String, Double> applies = applies();
    Map<String, String> addresses = addresses();
    mesh.operator().stop();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.readString(standby.log()).contains("Started event processing"));
    assertThat(lease.get().getSpec().getHolderIdentity()).isNotEqualTo(leader);
    await()
        .during(mesh.options().resync().multipliedBy(2))
        .atMost(mesh.options().resync().multipliedBy(2).plusSeconds(10))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(addresses()).as("the new leader keeps every address").isEqualTo(addresses);
              assertThat(applies()).as("nothing pushed while nothing changed").isEqualTo(applies);
            });

    // The next change is the new leader's to apply: the external peer leaves.
    String gateway = mesh.nodes().getFirst().name();
    String key = externalKey.publicKey();
    mesh.client().resources(WireGuardPeer.class).withName(EXTERNAL).delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> !under.agentPeers(gateway).contains(key));
    assertThat(under.pingMatrix().complete()).isTrue();
  }

  static final String LEASE = "wiremesh-operator-leader";

  /**
   * kubectl works against the embedded API server with the kubeconfig it wrote: discovery (short
   * names) and server-side printing with the CRD's columns.
   */
  @Test
  @Order(8)
  void kubectlListsThePeersWithTheCrdsColumnsAndWgShowsANodesInterface() throws Exception {
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(
                    mesh.api().url() + "/apis/wiremesh.dev/v1alpha1/wireguardpeers"))
            .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            .build();
    String body =
        java.net.http.HttpClient.newHttpClient()
            .send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    var table = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Name",
            "MESH",
            "NODE",
            "ADDRESS",
            "ROLE",
            "ENDPOINT",
            "HANDSHAKE",
            "READY",
            "ROTATION");
    List<String> names = new java.util.ArrayList<>();
    table.path("rows").forEach(r -> names.add(r.path("cells").get(0).asText()));
    assertThat(names).contains("laptop-alice", "mesh-node-1", "mesh-node-2");
    table.path("rows").forEach(r -> assertThat(r.path("cells")).hasSize(9));

    // The stock wg(8), in a node agent's namespaces, sees the node's interface and its peers.
    MeshNode first = mesh.nodes().getFirst();
    var wg =
        dev.wiremesh.e2e.localmesh.Sh.tryRun(
            "nsenter",
            "--target",
            Long.toString(first.agent().pid()),
            "--mount",
            "--net",
            "wg",
            "show",
            "wm0",
            "peers");
    assertThat(wg.exit()).as(wg.output()).isZero();
    assertThat(wg.output().lines().toList())
        .containsAll(mesh.agentPeers(first.name(), "wm0"))
        .hasSizeGreaterThanOrEqualTo(mesh.nodes().size() - 1);

    if (Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
      var r =
          dev.wiremesh.e2e.localmesh.Sh.tryRun(
              "env", "KUBECONFIG=" + mesh.kubeconfig(), "kubectl", "get", "wgp");
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output()).contains("MESH", "ADDRESS", "READY", "mesh-node-1");
    } else {
      System.err.println("*** kubectl not installed: checked the API server's answers only ***");
    }
  }

  static final class Under implements MeshUnderTest {
    static final String IFACE = "wm0";

    @Override
    public KubernetesClient client() {
      return mesh.client();
    }

    @Override
    public Duration resync() {
      return mesh.options().resync();
    }

    @Override
    public List<String> nodes() {
      return mesh.nodes().stream().map(MeshNode::name).toList();
    }

    @Override
    public String addNode() throws Exception {
      return mesh.addNode(false).name();
    }

    @Override
    public void removeNode(String node) {
      mesh.removeNode(node);
    }

    @Override
    public void killAgent(String node) {
      mesh.node(node).agent().kill();
    }

    @Override
    public void startAgent(String node) throws Exception {
      mesh.node(node).agent().start();
    }

    @Override
    public boolean agentReady(String node) {
      return mesh.probe(node, "ready");
    }

    @Override
    public void stopOperator() {
      mesh.operator().stop();
    }

    @Override
    public void killOperator() {
      mesh.killOperators(); // the replica that took over in scenario 7 too
    }

    @Override
    public void startOperator() throws Exception {
      mesh.operator().start();
    }

    @Override
    public PingMatrix pingMatrix() {
      return mesh.pingMatrix();
    }

    @Override
    public PingMatrix awaitUp(Duration timeout) {
      return mesh.awaitUp(timeout);
    }

    @Override
    public boolean ping(String fromNode, String address) {
      return PingMatrix.ping(mesh.node(fromNode).netns(), address, 1);
    }

    @Override
    public Set<String> agentPeers(String node) {
      return mesh.agentPeers(node, IFACE);
    }

    @Override
    public PingMatrix.Flow pingFlow(
        String fromNode, String address, int count, int intervalMillis) {
      return PingMatrix.flow(mesh.node(fromNode).netns(), address, count, intervalMillis);
    }

    @Override
    public String wgPublicKey(String node) {
      var wg =
          Sh.tryRun(
              "nsenter",
              "--target",
              Long.toString(mesh.node(node).agent().pid()),
              "--mount",
              "--net",
              "wg",
              "show",
              IFACE,
              "public-key");
      assertThat(wg.exit()).as(wg.output()).isZero();
      return wg.output().strip();
    }

    @Override
    public Set<String> agentKeyFiles(String node) throws Exception {
      try (var files = Files.list(mesh.node(node).stateDir())) {
        return files
            .map(f -> f.getFileName().toString())
            .filter(n -> n.endsWith(".key"))
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
      }
    }

    @Override
    public double configApplies(String node) {
      return mesh.agentMetric(node, "wiremesh_config_applies_total");
    }

    @Override
    public ExternalHost externalHost() {
      String ns = mesh.attachHost(200);
      Path dir = mesh.options().stateDir().resolve("external");
      // wg-quick names the interface after the file; UAPI sockets share this machine's /var/run.
      Path conf = dir.resolve(mesh.options().prefix() + "ext0.conf");
      return new ExternalHost() {
        @Override
        public void up(String wgQuickConfig) throws Exception {
          Files.createDirectories(dir);
          Files.deleteIfExists(conf);
          Files.createFile(
              conf,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          Files.writeString(conf, wgQuickConfig);
          Sh.run(
              Sh.inNetns(
                  ns,
                  "env",
                  "WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go",
                  "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1",
                  "wg-quick",
                  "up",
                  conf.toString()));
        }

        @Override
        public boolean ping(String address) {
          return PingMatrix.ping(ns, address, 1);
        }

        @Override
        public void down() {
          Sh.tryRun(Sh.inNetns(ns, "wg-quick", "down", conf.toString()));
        }
      };
    }

    @Override
    public void close() {
      mesh.close();
    }
  }
}
