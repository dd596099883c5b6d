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
  static KeyScan keyScan;

  @BeforeAll
  static void start() throws Exception {
    Path home = Path.of("..").toAbsolutePath().normalize();
    Path state = Files.createTempDirectory("wiremesh-local-it");
    mesh =
        LocalMesh.start(
            new LocalMesh.Options(
                home, state, 3, "wmt", "172.30.99", 0, Duration.ofSeconds(5), true));
    under = new Under();
    keyScan = KeyScan.watch(mesh);
  }

  @AfterAll
  static void stop() {
    if (keyScan != null) {
      keyScan.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  /**
   * Last: no private key of any node (every one its agent held during the run, rotated and next
   * keys included), of the external peers the scenarios made, nor any preshared key, in any log or
   * object of the API server ({@link KeyScan}).
   */
  @Test
  @Order(99)
  void noPrivateOrPresharedKeyAppearsInAnyLogOrResource() throws Exception {
    keyScan.assertNoPrivateOrPresharedKeyAppears();
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
