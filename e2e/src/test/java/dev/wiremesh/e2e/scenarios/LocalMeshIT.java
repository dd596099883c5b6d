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
import dev.wiremesh.operator.pki.CertificateAuthority;
import dev.wiremesh.operator.pki.IssuedCertificate;
import dev.wiremesh.operator.pki.PkiSecrets;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
class LocalMeshIT extends MeshScenarios implements KeyScanned {

  static LocalMesh mesh;
  static Under under;
  static KeyScan keyScan;

  /** The second replica of the operator (test 7), the leader from then on. */
  static JavaApp standby;

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
    KeyScan.close(keyScan, mesh);
  }

  @Override
  public KeyScan keyScan() {
    return keyScan;
  }

  @Override
  protected MeshUnderTest mesh() {
    return under;
  }

  /**
   * Two replicas of the operator, as the chart's Deployment may run: only the Lease's holder
   * reconciles. The leader is SIGKILLed right after a change that every agent must get (the
   * external peer leaves: the gateway drops it, the others the routes to it), so it cannot hand
   * over: the standby takes the Lease once it expires, and from the cluster's state alone finishes
   * the change — the same addresses, every node still holding every other — and then pushes nothing
   * while nothing changes.
   */
  @Test
  @Order(7)
  void aStandbyTakesOverFromASigkilledLeaderMidChangeAndFinishesIt() throws Exception {
    var lease = mesh.client().leases().inNamespace(LocalMesh.NAMESPACE).withName(LEASE);
    String leader = lease.get().getSpec().getHolderIdentity();
    standby = mesh.startOperatorReplica("operator-2");
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

    Map<String, String> addresses = new TreeMap<>(addresses());
    addresses.remove(EXTERNAL); // the peer the change removes
    Map<String, String> nodeKeys = new TreeMap<>();
    for (String node : under.nodes()) {
      nodeKeys.put(node, peerOfNode(node).getStatus().getPublicKey());
    }
    String gateway = mesh.nodes().getFirst().name();
    String key = externalKey.publicKey();
    assertThat(under.agentPeers(gateway)).contains(key);
    mesh.client().resources(WireGuardPeer.class).withName(EXTERNAL).delete();
    Instant killed = Instant.now();
    mesh.operator().kill();
    // Where the change was when the leader died (the kill lands anywhere from before the delete
    // event to after the last push): the gateway's peers say whether its push had landed.
    boolean gatewayHadIt = !under.agentPeers(gateway).contains(key);

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !leader.equals(lease.get().getSpec().getHolderIdentity()));
    Duration takeover = Duration.between(killed, Instant.now());
    System.out.printf(
        "operator leader SIGKILLed: the standby holds the Lease %d ms later (lease duration %d"
            + " s)%n",
        takeover.toMillis(), lease.get().getSpec().getLeaseDurationSeconds());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(standby.log()).contains("Started event processing"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(under.agentPeers(gateway))
                  .as("the change is finished")
                  .doesNotContain(key);
              assertThat(addresses())
                  .as("the new leader keeps every address; the deleted peer's is gone")
                  .isEqualTo(addresses);
              for (String node : under.nodes()) {
                Set<String> others = new TreeSet<>(nodeKeys.values());
                others.remove(nodeKeys.get(node));
                assertThat(under.agentPeers(node))
                    .as("no peer lost on " + node)
                    .containsAll(others);
              }
            });
    System.out.printf(
        "operator leader SIGKILLed mid-change (the gateway had %s the change at the kill):"
            + " finished by the new leader %d ms after the kill%n",
        gatewayHadIt ? "already applied" : "not yet applied",
        Duration.between(killed, Instant.now()).toMillis());
    PingMatrix m = under.pingMatrix();
    assertThat(m.complete()).as(m.render()).isTrue();

    Map<String, Double> applies = settledApplies(under.nodes());
    await()
        .during(mesh.options().resync().multipliedBy(2))
        .atMost(mesh.options().resync().multipliedBy(2).plusSeconds(10))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(addresses()).as("the new leader keeps every address").isEqualTo(addresses);
              assertThat(applies()).as("nothing pushed while nothing changed").isEqualTo(applies);
            });
  }

  /**
   * The agents' certificate and the operator's, both near expiry (a day left of 90) in their
   * Secrets, as they would be after 89 days: the operator renews both on its next look at the PKI
   * ({@code wiremesh.pki.check-interval}, the resync on the local mesh) and every agent serves the
   * renewed one without a restart. Then the CA near expiry (its certificate as after nine years and
   * a half, re-issued with its own key so everything it issued still verifies): the operator makes
   * a new CA, trusted beside the old one, and once the overlap has passed ({@code
   * wiremesh.pki.ca-overlap}, three resyncs here) issues both certificates from it; every agent
   * serves one from the new CA. The operator then still drives the agents (a change made afterwards
   * is applied), and throughout every node pings every other 10 times a second without losing one.
   */
  @Test
  @Order(14)
  void certificatesAndTheCaNearExpiryAreRenewedWithTheMeshRunningWithoutLosingAPing()
      throws Exception {
    CertificateAuthority ca = MeshCertificates.ca(mesh);
    BigInteger before =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> MeshCertificates.served(mesh.nodes().getFirst()), Objects::nonNull)
            .getSerialNumber();
    try (var flows = PingFlows.start(mesh, under, under.nodes(), 350, 100)) {
      Instant issued = Instant.now().minus(CERT_LIFETIME).plus(Duration.ofDays(1));
      IssuedCertificate agentOld =
          ca.issue(
              "wiremesh-agent",
              List.of(CertificateAuthority.AGENT_SERVER_NAME),
              CertificateAuthority.Usage.SERVER,
              issued,
              CERT_LIFETIME);
      IssuedCertificate operatorOld =
          ca.issue(
              "wiremesh-operator",
              List.of(CertificateAuthority.OPERATOR_CLIENT_NAME),
              CertificateAuthority.Usage.CLIENT,
              issued,
              CERT_LIFETIME);
      MeshCertificates.replaceLeaf(mesh, PkiSecrets.AGENT_SECRET, agentOld);
      MeshCertificates.replaceLeaf(mesh, PkiSecrets.OPERATOR_SECRET, operatorOld);
      Instant replaced = Instant.now();
      Set<BigInteger> old = Set.of(before, agentOld.certificate().getSerialNumber());
      Map<String, Set<BigInteger>> served = new TreeMap<>();
      // The operator looks at its PKI every resync; the agents reload their files every resync.
      await()
          .atMost(mesh.options().resync().multipliedBy(4).plusSeconds(40))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                var agent = MeshCertificates.leaf(mesh, PkiSecrets.AGENT_SECRET);
                var operator = MeshCertificates.leaf(mesh, PkiSecrets.OPERATOR_SECRET);
                assertThat(agent.getSerialNumber())
                    .as("the agents' renewed certificate in its Secret")
                    .isNotIn(old);
                assertThat(operator.getSerialNumber())
                    .as("the operator's renewed certificate in its Secret")
                    .isNotEqualTo(operatorOld.certificate().getSerialNumber());
                assertThat(Duration.between(Instant.now(), agent.getNotAfter().toInstant()))
                    .as("the renewed certificate's lifetime")
                    .isGreaterThan(Duration.ofDays(80));
                for (MeshNode n : mesh.nodes()) {
                  var cert = MeshCertificates.served(n);
                  assertThat(cert).as(n.name() + " shows its certificate").isNotNull();
                  served
                      .computeIfAbsent(n.name(), k -> new TreeSet<>())
                      .add(cert.getSerialNumber());
                  assertThat(cert.getSerialNumber())
                      .as(n.name() + " serves the renewed certificate")
                      .isEqualTo(agent.getSerialNumber());
                }
              });
      System.out.printf(
          "certificates near expiry: renewed and served by every agent %d ms after they were put"
              + " in place; serials served meanwhile %s (the near-expiry one %s)%n",
          Duration.between(replaced, Instant.now()).toMillis(),
          served,
          agentOld.certificate().getSerialNumber());

      // The CA near expiry: a new CA, trusted first beside the old, then issuing.
      var nearExpiry =
          MeshCertificates.recertified(
              ca, Instant.now().minus(CA_LIFETIME).plus(Duration.ofDays(1)), CA_LIFETIME);
      MeshCertificates.replaceCaCertificate(mesh, nearExpiry);
      Instant caReplaced = Instant.now();
      Map<String, Set<String>> issuers = new TreeMap<>();
      await()
          .atMost(mesh.options().resync().multipliedBy(8).plusSeconds(40))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                var newCa = MeshCertificates.ca(mesh).certificate();
                assertThat(newCa.getPublicKey())
                    .as("a new CA, with a key of its own")
                    .isNotEqualTo(nearExpiry.getPublicKey());
                assertThat(Duration.between(Instant.now(), newCa.getNotAfter().toInstant()))
                    .as("the new CA's lifetime")
                    .isGreaterThan(Duration.ofDays(3000));
                var agent = MeshCertificates.leaf(mesh, PkiSecrets.AGENT_SECRET);
                assertThat(MeshCertificates.issuedBy(agent, newCa))
                    .as("the agents' certificate in its Secret is issued by the new CA")
                    .isTrue();
                assertThat(
                        MeshCertificates.issuedBy(
                            MeshCertificates.leaf(mesh, PkiSecrets.OPERATOR_SECRET), newCa))
                    .as("the operator's certificate in its Secret is issued by the new CA")
                    .isTrue();
                for (MeshNode n : mesh.nodes()) {
                  var cert = MeshCertificates.served(n);
                  assertThat(cert).as(n.name() + " shows its certificate").isNotNull();
                  issuers
                      .computeIfAbsent(n.name(), k -> new TreeSet<>())
                      .add(MeshCertificates.issuedBy(cert, newCa) ? "new CA" : "old CA");
                  assertThat(cert.getSerialNumber())
                      .as(n.name() + " serves the certificate of the new CA")
                      .isEqualTo(agent.getSerialNumber());
                }
              });
      System.out.printf(
          "CA near expiry: a new CA's certificates served by every agent %d ms after the old CA"
              + " was made to look due (issuers served meanwhile: %s)%n",
          Duration.between(caReplaced, Instant.now()).toMillis(), issuers);

      // The operator, with its client certificate of the new CA, still drives the agents.
      X25519Keys site = X25519Keys.generate();
      WireGuardPeer peer = site("site-renewal", site);
      String gateway = under.nodes().getFirst();
      mesh.client().resource(peer).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> under.agentPeers(gateway).contains(site.publicKey()));
      mesh.client().resource(peer).delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !under.agentPeers(gateway).contains(site.publicKey()));
      flows.assertNoneLost();
    }
  }

  static final Duration CERT_LIFETIME = Duration.ofDays(90);

  static final Duration CA_LIFETIME = Duration.ofDays(3650);

  /** An external peer (a site) with its own key, for a change made during a fault. */
  static WireGuardPeer site(String name, X25519Keys keys) {
    WireGuardPeer peer = new WireGuardPeer();
    peer.setMetadata(new ObjectMetaBuilder().withName(name).build());
    peer.setSpec(externalSpec(keys.publicKey()));
    return peer;
  }

  /** The apply counts of some agents. */
  Map<String, Double> applies(List<String> nodes) {
    Map<String, Double> out = new TreeMap<>();
    for (String n : nodes) {
      out.put(n, under.configApplies(n));
    }
    return out;
  }

  /** The apply counts of some agents once two readings 2 s apart agree (a push has landed). */
  Map<String, Double> settledApplies(List<String> nodes) {
    @SuppressWarnings("unchecked")
    Map<String, Double>[] last = new Map[] {applies(nodes)};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              Map<String, Double> now = applies(nodes);
              boolean same = now.equals(last[0]);
              last[0] = now;
              return same;
            });
    return last[0];
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
