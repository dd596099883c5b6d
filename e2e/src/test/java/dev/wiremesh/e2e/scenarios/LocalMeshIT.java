package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.JavaApp;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.MeshNode;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import dev.wiremesh.e2e.localmesh.PingStream;
import dev.wiremesh.e2e.localmesh.Sh;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
   * How long after a restarted agent is ready its tunnels may still lose packets: until a new
   * handshake with each peer, whose sessions with it died with it. The restarted agent initiates at
   * once, but while its next key is being distributed it initiates with its old key, which the
   * peers that took the new one refuse, and retries with the other key a Rekey-Timeout later (5 s
   * plus up to 1/3 s of jitter, whitepaper §6.1); at the latest, a peer that sent and got nothing
   * back initiates by itself after Keepalive-Timeout + Rekey-Timeout (15 s). That, and margin for a
   * machine half again as slow as this one. Measured: at most 6-9 s (docs/key-rotation.md).
   */
  static final Duration HANDSHAKE_AFTER_READY = Duration.ofSeconds(18);

  /**
   * The local mesh's version of the scenario: a live rotation with the rotating node's agent and
   * the operator each killed (SIGKILL) once in every phase, while every node pings every other at
   * 20/s over IPv4 and IPv6 and the losses are counted by sequence number. The gateway rotates: it
   * keeps its previous key through the external peers' grace period, so Completed lasts. In order:
   * the agent killed in Pending (the rotation asked for while it is down waits for it); the
   * operator killed the moment the next key is on the agent's disk (the prepare answered, its
   * record maybe not written); in Distributing, held there because node-3's agent API refuses
   * connections so it cannot take the new key, the agent killed and, once the operator records that
   * it waits for it, the operator too; in Completed with the previous key held, the operator
   * killed, then the agent. The rotation completes with one start, the new key everywhere and the
   * old key's file gone; requests are lost only while the agent restarts (from its kill until it is
   * ready and {@link #HANDSHAKE_AFTER_READY} later), none between the other nodes and none across
   * an operator kill alone. The figures are printed.
   */
  @Override
  @Test
  @Order(12)
  void aRotationWhoseAgentIsKilledMidwayCompletes() throws Exception {
    List<String> nodes = under.nodes();
    String gateway = nodes.getFirst();
    String refusing = nodes.getLast();
    String peer = peerOfNode(gateway).getMetadata().getName();
    String refusingPeer = peerOfNode(refusing).getMetadata().getName();
    String oldKey = peerOfNode(gateway).getStatus().getPublicKey();
    assertThat(under.agentKeyFiles(gateway)).containsExactly("private.key");
    List<String> eventsBefore = eventReasons(peer);
    editKeyRotation(k -> k.setExternalGracePeriod("10s"));
    var agent = mesh.node(gateway).agent();
    String distributingHeld = "waiting for node peer(s) [" + refusingPeer + "] to take the new key";

    List<PingStream> streams = new java.util.ArrayList<>();
    List<PingStream.Window> restarts = new java.util.ArrayList<>();
    List<Instant> readyAt = new java.util.ArrayList<>();
    List<PingStream.Result> results = new java.util.ArrayList<>();
    long started = System.nanoTime();
    try {
      for (String from : nodes) {
        for (String to : nodes) {
          if (!to.equals(from)) {
            for (String address : addressesOf(to)) {
              streams.add(
                  PingStream.start(
                      from + " -> " + to + " " + address, mesh.node(from).netns(), address, 50));
            }
          }
        }
      }
      mesh.refuseAgentApi(refusing);

      // 1. The agent killed in Pending: the rotation asked for meanwhile waits for it.
      Instant kill = Instant.now();
      agent.kill();
      await() // its Pod not Ready: the pass the annotation starts sees the agent away
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !mesh.ready(mesh.node(gateway)));
      rotateOnDemand(peer, "e2e-kills");
      awaitRotationState(
          peer,
          "Pending, waiting for the agent",
          r ->
              "e2e-kills".equals(r.getRequested())
                  && KeyRotationStatus.PENDING.equals(r.getPhase())
                  && ("waiting for the agent on node " + gateway).equals(r.getReason()),
          Duration.ofSeconds(30));
      agent.start();
      var ready = readyAfterStart(gateway);

      // 2. The operator killed the moment the agent has written its next key.
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> under.agentKeyFiles(gateway).contains("next.key"));
      mesh.killOperators();
      landed("operator killed with the next key on the agent's disk", peer);
      readyAt.add(ready.get(60, TimeUnit.SECONDS));
      restarts.add(window("agent killed in Pending", kill, readyAt.getLast()));
      mesh.operator().start();

      // 3. Distributing, held there: node-3 cannot take the new key. The agent killed, and once
      //    the operator records that it waits for it, the operator killed too; both restart.
      awaitRotationState(
          peer,
          "Distributing, held by " + refusingPeer,
          r ->
              KeyRotationStatus.DISTRIBUTING.equals(r.getPhase())
                  && distributingHeld.equals(r.getReason()),
          Duration.ofSeconds(90));
      kill = Instant.now();
      agent.kill();
      awaitRotationState(
          peer,
          "Distributing, waiting for the agent",
          r ->
              KeyRotationStatus.DISTRIBUTING.equals(r.getPhase())
                  && ("waiting for the agent on node " + gateway).equals(r.getReason()),
          Duration.ofSeconds(30));
      mesh.killOperators();
      landed("agent, then operator killed", peer);
      agent.start();
      ready = readyAfterStart(gateway);
      mesh.operator().start();
      readyAt.add(ready.get(60, TimeUnit.SECONDS));
      restarts.add(window("agent killed in Distributing", kill, readyAt.getLast()));

      // 4. Node-3 takes the new key: the commit. The operator killed in Completed (the previous
      //    key held for the external peers' grace period), then the agent; both restart.
      mesh.allowAgentApi(refusing);
      awaitRotationState(
          peer,
          "Completed with the previous key held",
          r ->
              KeyRotationStatus.COMPLETED.equals(r.getPhase())
                  && r.getPreviousPublicKey() != null
                  && r.getPreviousKeyExpiresTime() != null,
          Duration.ofSeconds(60));
      mesh.killOperators();
      landed("operator, then agent killed", peer);
      assertThat(under.agentKeyFiles(gateway)).containsExactly("previous.key", "private.key");
      kill = Instant.now();
      agent.kill();
      agent.start();
      ready = readyAfterStart(gateway);
      mesh.operator().start();
      readyAt.add(ready.get(60, TimeUnit.SECONDS));
      restarts.add(window("agent killed in Completed", kill, readyAt.getLast()));

      awaitRotated(peer, Duration.ofSeconds(120));
    } catch (Throwable t) {
      System.err.println("--- operator log ---\n" + mesh.operator().tail(40));
      System.err.println("--- " + gateway + "'s agent log ---\n" + agent.tail(40));
      throw t;
    } finally {
      mesh.allowAgentApi(refusing);
      if (!agent.running()) {
        agent.start();
      }
      if (!mesh.operator().running()) {
        mesh.operator().start();
      }
      for (PingStream p : streams) {
        results.add(p.stop());
      }
    }
    System.out.printf(
        "rotation of %s with its agent and the operator killed in every phase: %.1f s%n",
        gateway, (System.nanoTime() - started) / 1e9);
    for (int i = 0; i < restarts.size(); i++) {
      PingStream.Window w = restarts.get(i);
      Instant ready = readyAt.get(i);
      int lost = 0;
      int afterReady = 0;
      Duration last = Duration.ZERO;
      for (PingStream.Result r : results) {
        for (Instant t : r.lostAt()) {
          if (w.holds(t)) {
            lost++;
            if (t.isAfter(ready)) {
              afterReady++;
              last =
                  Duration.between(ready, t).compareTo(last) > 0
                      ? Duration.between(ready, t)
                      : last;
            }
          }
        }
      }
      System.out.printf(
          "  %s: ready %.1f s after the kill; %d requests lost on all streams, %d of them after"
              + " readiness (the last %d ms after)%n",
          w.what(),
          Duration.between(w.from().plusSeconds(1), ready).toMillis() / 1000.0,
          lost,
          afterReady,
          last.toMillis());
      for (PingStream.Result r : results) {
        List<Long> after =
            r.lostAt().stream()
                .filter(t -> t.isAfter(ready) && w.holds(t))
                .map(t -> Duration.between(ready, t).toMillis())
                .toList();
        if (!after.isEmpty()) {
          System.out.printf(
              "    %s: %d lost after readiness, %d-%d ms after%n",
              r.what(), after.size(), after.getFirst(), after.getLast());
        }
      }
    }
    results.forEach(r -> System.out.println("  " + r));

    String newKey = peerOfNode(gateway).getStatus().getPublicKey();
    assertThat(newKey).isNotEqualTo(oldKey);
    assertThat(rotationOf(peer).getRequested()).isEqualTo("e2e-kills");
    assertEveryNodeOnTheNewKey(gateway, oldKey, newKey);
    List<String> events = eventReasons(peer);
    for (String reason :
        List.of("KeyRotationStarted", "KeyRotationCompleted", "PreviousKeyDropped")) {
      assertThat(count(events, reason))
          .as("one %s for this rotation", reason)
          .isEqualTo(count(eventsBefore, reason) + 1);
    }
    assertThat(count(events, "KeyRotationFailed"))
        .isEqualTo(count(eventsBefore, "KeyRotationFailed"));
    for (PingStream.Result r : results) {
      if (r.what().startsWith(gateway + " -> ") || r.what().contains(" -> " + gateway + " ")) {
        assertThat(r.lostOutside(restarts))
            .as("%s: lost outside the agent's restarts %s at %s", r, restarts, r.lostAt())
            .isZero();
      } else {
        assertThat(r.lost()).as("%s: between nodes whose agents ran throughout", r).isZero();
      }
      assertThat(r.sent()).as(r.what()).isGreaterThan(0);
    }
    PingMatrix after = under.pingMatrix();
    assertThat(after.complete()).as(after.render()).isTrue();
  }

  /** From a second before the kill (an answer on its way) to the handshake after readiness. */
  static PingStream.Window window(String what, Instant kill, Instant ready) {
    return new PingStream.Window(what, kill.minusSeconds(1), ready.plus(HANDSHAKE_AFTER_READY));
  }

  /** When the node's agent, just started, first passes its readiness probe (polled every 50 ms). */
  static java.util.concurrent.CompletableFuture<Instant> readyAfterStart(String node) {
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> mesh.probe(node, "ready"));
          return Instant.now();
        },
        task -> Thread.ofVirtual().start(task));
  }

  /** Prints the rotation as recorded when something was killed. */
  void landed(String what, String peer) {
    KeyRotationStatus r = rotationOf(peer);
    System.out.printf(
        "  %s with the rotation recorded as %s (%s)%n",
        what, r == null ? null : r.getPhase(), r == null ? null : r.getReason());
  }

  /** Waits for a state of the peer's rotation; on timeout, says what was recorded instead. */
  KeyRotationStatus awaitRotationState(
      String peer,
      String what,
      java.util.function.Predicate<KeyRotationStatus> state,
      Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> rotationOf(peer), r -> r != null && state.test(r));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      KeyRotationStatus r = rotationOf(peer);
      throw new AssertionError(
          "no "
              + what
              + " within "
              + timeout.toSeconds()
              + " s; recorded: "
              + (r == null
                  ? "nothing"
                  : r.getPhase() + " (" + r.getReason() + "), requested " + r.getRequested()),
          e);
    }
  }

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
