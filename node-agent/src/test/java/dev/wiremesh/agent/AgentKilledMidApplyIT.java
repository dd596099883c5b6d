package dev.wiremesh.agent;

import static dev.wiremesh.agent.Commands.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.agent.keys.KeyStore;
import dev.wiremesh.agent.location.ForwardingLedger;
import dev.wiremesh.agent.state.StateStore;
import dev.wiremesh.api.agent.DeviceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real agent (the packaged Quarkus app, with the JVM flags it ships with) in its own network
 * namespace with its TUN device, configured over mutual TLS by this test acting as the operator,
 * and SIGKILLed at a random point while it applies a configuration, 50 times in a row (issue 18).
 * Each time the configuration sent differs from the one held in everything the agent applies
 * ({@link KillConfigs}), as a full config ({@code PUT}) or, between configs that differ in their
 * peers only, as a delta ({@code PATCH}). The kill comes either a random delay after the request
 * was sent (0 to 1.5 times what an apply took in the rounds before, so before, inside and after
 * it), or the moment the agent creates the temporary file of a state file's save (inside the save,
 * where an unsafe write would leave a half-written file).
 *
 * <p>After every kill: the state file is whole and is exactly the old or the new config (the new
 * one if the agent had answered); the restarted agent leaves no temporary file, keeps its private
 * key, comes back Ready with the config on disk, and that config alone is what the node shows (wg's
 * peers, allowed IPs, endpoints, keepalives, preshared keys, listen port; the interface's addresses
 * and MTU; its routes; the route over the node network, the forwarding switches and the nftables
 * table, which outlive the killed process); and it converges: the newest config, pushed again as
 * the operator would, is applied. Needs root.
 */
class AgentKilledMidApplyIT {
  static final int KILLS = Integer.getInteger("wiremesh.kill.count", 50);
  static final long SEED = Long.getLong("wiremesh.kill.seed", System.nanoTime());

  /**
   * Whether the agent starts from an AOT cache (JEP 483) that the first start records: the restarts
   * are most of the test's time.
   */
  static final boolean AOT = Boolean.parseBoolean(System.getProperty("wiremesh.kill.aot", "true"));

  /**
   * The JIT's first tier only: an agent that lives a few seconds starts faster without the second
   * (measured: docs/reliability.md). The apply does the same with either.
   */
  static final String QUICK_START = "-XX:TieredStopAtLevel=1";

  static final ObjectMapper JSON = new ObjectMapper();
  static final String TAG = Long.toHexString(System.nanoTime() & 0xfffff);
  static final String NS = "wmk" + TAG;
  static final String IF = "wmK" + TAG;
  static final String UNDERLAY = "ku" + TAG;
  static final String CONTROL = "kc" + TAG;
  static final String CONTROL_IP = "10.251.9.2";

  static Path home;
  static TestPki pki;
  static AgentProcess agent;
  static KillConfigs configs;

  /** How the kill point is chosen. */
  enum Trigger {
    /** A random delay after the request was sent. */
    DELAY,
    /** The moment a state file's temporary file appears: inside the save. */
    SAVE
  }

  @BeforeAll
  static void node() throws Exception {
    home = Files.createTempDirectory("wiremesh-agent-kill");
    pki = new TestPki("wiremesh-kill-ca");
    sh("ip", "netns", "add", NS);
    sh("ip", "-n", NS, "link", "set", "lo", "up");
    // The node network, for the leader's route over it (to a gateway on it).
    sh("ip", "-n", NS, "link", "add", UNDERLAY, "type", "veth", "peer", "name", UNDERLAY + "p");
    sh("ip", "-n", NS, "addr", "add", "192.0.2.1/24", "dev", UNDERLAY);
    sh("ip", "-n", NS, "link", "set", UNDERLAY, "up");
    sh("ip", "-n", NS, "link", "set", UNDERLAY + "p", "up");
    // The control link from this test (the operator) to the node.
    sh("ip", "link", "add", CONTROL, "type", "veth", "peer", "name", CONTROL + "n", "netns", NS);
    sh("ip", "addr", "add", "10.251.9.1/30", "dev", CONTROL);
    sh("ip", "link", "set", CONTROL, "up");
    sh("ip", "-n", NS, "addr", "add", CONTROL_IP + "/30", "dev", CONTROL + "n");
    sh("ip", "-n", NS, "link", "set", CONTROL + "n", "up");
    pki.writeServerFiles(home.resolve("tls"), CONTROL_IP);
    agent = new AgentProcess(NS, CONTROL_IP, home);
    configs = new KillConfigs(IF, "192.0.2.2");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (agent != null) {
      agent.close();
    }
    new ProcessBuilder("ip", "netns", "del", NS).start().waitFor();
    new ProcessBuilder("ip", "link", "del", CONTROL).start().waitFor();
    TwoAgentsIT.deleteTree(home); // holds the node's private key
  }

  /** The operator's client; a new one after every restart. */
  HttpClient operator;

  final Path state = home.resolve("state");
  final Random random = new Random(SEED);
  final Calibration apply = new Calibration();
  final List<Long> readyMs = new ArrayList<>();
  final List<Long> apiMs = new ArrayList<>();
  final List<String> apiFailures = new ArrayList<>();
  final KillRound.Outcomes outcomes = new KillRound.Outcomes();

  /** What the agent holds, as far as the operator knows. */
  DeviceConfig held;

  String publicKey;
  byte[] keyFile;

  @Test
  void anAgentKilledAtRandomPointsOfItsAppliesComesBackWithTheOldOrTheNewConfigAndConverges()
      throws Exception {
    System.out.printf("AgentKilledMidApplyIT: %d kills, seed %d%n", KILLS, SEED);
    long t0 = System.nanoTime();
    Path aot = home.resolve("agent.aot");
    agent.extraFlags(
        AOT ? List.of(QUICK_START, "-XX:AOTCacheOutput=" + aot) : List.of(QUICK_START));
    long firstMs = agent.start(false);
    operator = pki.client(pki, true);
    // The first configs, timed: the random delays are drawn against how long an apply takes.
    for (DeviceConfig c : List.of(configs.leader, configs.member, configs.leader)) {
      long t1 = System.nanoTime();
      assertApplied(put(operator, c), c, "first applies");
      apply.add((System.nanoTime() - t1) / 1_000_000);
    }
    held = configs.leader;
    System.out.printf(
        "agent live %d ms after its first start; first applies took %s ms%n", firstMs, apply);
    if (AOT) {
      // That start was the AOT cache's training run: a graceful stop writes the cache.
      long t1 = System.nanoTime();
      agent.stop();
      assertThat(aot).as("the AOT cache; the agent's log:%n%s", agent.logTail(30)).isRegularFile();
      long madeMs = (System.nanoTime() - t1) / 1_000_000;
      agent.extraFlags(List.of(QUICK_START, "-XX:AOTCache=" + aot));
      long ms = agent.start(true);
      operator.shutdownNow();
      operator = pki.client(pki, true);
      System.out.printf(
          "AOT cache made in %d ms, %d kB; Ready %d ms after a start with it, API after %d ms%n",
          madeMs, Files.size(aot) / 1024, ms, awaitApi());
    }
    publicKey = identity(operator);
    keyFile = Files.readAllBytes(state.resolve(KeyStore.FILE));

    try (WatchService saves = FileSystems.getDefault().newWatchService()) {
      state.register(saves, StandardWatchEventKinds.ENTRY_CREATE);
      for (int kill = 0; kill < KILLS; kill++) {
        long roundStart = System.nanoTime();
        DeviceConfig next = pick(random, held);
        boolean patch = KillConfigs.deltaPossible(held, next) && random.nextBoolean();
        Trigger trigger = kill % 3 == 2 ? Trigger.SAVE : Trigger.DELAY;
        long delayMs = trigger == Trigger.DELAY ? random.nextLong(apply.bound() + 1) : 0;
        KillRound round =
            new KillRound(
                configs,
                kill,
                patch ? "PATCH" : "PUT",
                held,
                next,
                trigger,
                delayMs,
                apply.typical());
        try {
          killMidApplyAndRestart(round, saves);
        } catch (Throwable e) {
          throw new AssertionError(
              round
                  + ": "
                  + e
                  + "\nthe kills before: "
                  + outcomes
                  + "\nthe end of the agent's log:\n"
                  + agent.logTail(40),
              e);
        }
        outcomes.add(round);
        System.out.println(
            round.describe()
                + "; Ready "
                + readyMs.getLast()
                + " ms after the restart, API "
                + apiMs.getLast()
                + " ms after that; "
                + (System.nanoTime() - roundStart) / 1_000_000
                + " ms in all");
        held = next;
      }
    }
    System.out.printf(
        "AgentKilledMidApplyIT: %s; restart to Ready %s ms, Ready to API %s ms; applies %s ms;"
            + " %d s in all%n",
        outcomes,
        summary(readyMs),
        summary(apiMs),
        apply,
        (System.nanoTime() - t0) / 1_000_000_000);
    System.out.printf(
        "calls to the API refused after Ready: %s%n",
        apiFailures.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    f -> f, java.util.stream.Collectors.counting())));
    assertThat(outcomes.insideASave)
        .as("kills that landed inside a save (a temporary file left): %s", outcomes)
        .isPositive();
  }

  /**
   * Sends {@code round}'s config, kills the agent at the round's point, checks what the kill left,
   * restarts the agent and checks what it came back with, then converges it.
   */
  private void killMidApplyAndRestart(KillRound round, WatchService saves) throws Exception {
    DeviceConfig next = round.sent;
    // The operator sends the config; the agent is killed somewhere in its apply.
    drain(saves);
    long t0 = System.nanoTime();
    CompletableFuture<HttpResponse<String>> answer =
        operator.sendAsync(
            round.method.equals("PATCH")
                ? request("PATCH", KillConfigs.delta(held, next))
                : request("PUT", next),
            HttpResponse.BodyHandlers.ofString());
    if (round.trigger == Trigger.DELAY) {
      TimeUnit.MILLISECONDS.sleep(round.delayMs); // the kill point itself, not a wait
    } else {
      round.savedFile = awaitTemporaryFile(saves);
      if (random.nextBoolean()) {
        LockSupport.parkNanos(random.nextLong(2_000_000)); // a little further into the save
      }
    }
    round.killedAfterUs = (System.nanoTime() - t0) / 1_000;
    agent.kill();
    round.status = statusOf(answer);
    operator.shutdownNow();

    // What the kill left, before anything runs again.
    round.debris = temporaryFiles(state);
    DeviceConfig onDisk = readStateFile();
    round.found = onDisk.hash();
    round.hostAfterKill = NodeState.read(NS, IF, UNDERLAY);
    assertThat(onDisk.hash())
        .as("the state file holds the old or the new config")
        .isIn(held.hash(), next.hash());
    assertThat(round.status).as("the answer, if one came before the kill").isIn(-1, 200);
    if (round.status == 200) {
      assertThat(onDisk.hash())
          .as("the agent had answered the apply: the new config is on disk")
          .isEqualTo(next.hash());
    }

    // The agent restarts: it comes back Ready with that config, and only that one, applied.
    readyMs.add(agent.start(true));
    operator = pki.client(pki, true);
    apiMs.add(awaitApi());
    assertThat(temporaryFiles(state)).as("temporary files after the restart").isEmpty();
    assertThat(stateFiles(state))
        .as("the state folder holds nothing else")
        .isSubsetOf(KeyStore.FILE, StateStore.FILE, ForwardingLedger.FILE);
    assertThat(MessageDigest.isEqual(keyFile, Files.readAllBytes(state.resolve(KeyStore.FILE))))
        .as("the private key file is intact")
        .isTrue();
    for (String secret : List.of(KeyStore.FILE, StateStore.FILE)) {
      assertThat(
              PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(secret))))
          .as("the mode of %s (it holds keys)", secret)
          .isEqualTo("rw-------");
    }
    assertThat(identity(operator)).as("the node's public key").isEqualTo(publicKey);
    assertThat(new StateStore(state).load().orElseThrow().hash())
        .as("the state file after the restart")
        .isEqualTo(onDisk.hash());
    assertNodeShows(onDisk, "after the restart");

    // It converges: the operator pushes the newest config again, and it is applied.
    long t1 = System.nanoTime();
    assertApplied(put(operator, next), next, "converging");
    if (!onDisk.hash().equals(next.hash())) {
      apply.add((System.nanoTime() - t1) / 1_000_000);
    }
    assertNodeShows(next, "after converging");
  }

  /**
   * Waits until the agent's API answers, as the operator retries it; how long that took. The agent
   * is Ready once its interface carries a config, which can come before its HTTPS server listens.
   */
  private long awaitApi() {
    long t0 = System.nanoTime();
    List<String> failures = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              try {
                return call(operator, "GET", "/v1/identity", null).statusCode() == 200;
              } catch (java.io.IOException e) {
                failures.add(e.getClass().getSimpleName());
                return false;
              }
            });
    apiFailures.addAll(failures);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Picks a config other than {@code held}. */
  private static DeviceConfig pick(Random random, DeviceConfig held) {
    List<DeviceConfig> others =
        configs.all().stream().filter(c -> !c.hash().equals(held.hash())).toList();
    return others.get(random.nextInt(others.size()));
  }

  private static void drain(WatchService w) {
    for (WatchKey k = w.poll(); k != null; k = w.poll()) {
      k.pollEvents();
      k.reset();
    }
  }

  /** Waits for the agent to create a state file's temporary file; its name. */
  private static String awaitTemporaryFile(WatchService w) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      WatchKey k = w.poll(100, TimeUnit.MILLISECONDS);
      if (k == null) {
        continue;
      }
      String found = null;
      for (WatchEvent<?> e : k.pollEvents()) {
        String name = String.valueOf(e.context());
        if (found == null && name.endsWith(".tmp")) {
          found = name;
        }
      }
      k.reset();
      if (found != null) {
        return found;
      }
    }
    throw new AssertionError("the agent wrote no state file within 30 s");
  }

  private static int statusOf(CompletableFuture<HttpResponse<String>> answer) throws Exception {
    return answer.handle((r, e) -> r == null ? -1 : r.statusCode()).get(30, TimeUnit.SECONDS);
  }

  private static List<String> temporaryFiles(Path state) throws Exception {
    return stateFiles(state).stream().filter(n -> n.endsWith(".tmp")).toList();
  }

  private static Set<String> stateFiles(Path state) throws Exception {
    try (Stream<Path> files = Files.list(state)) {
      return files
          .map(p -> p.getFileName().toString())
          .collect(TreeSet::new, Set::add, Set::addAll);
    }
  }

  /** The state file as the kill left it, read without the agent's clean-up. */
  private DeviceConfig readStateFile() throws Exception {
    Path file = state.resolve(StateStore.FILE);
    DeviceConfig c;
    try {
      c = JSON.readValue(file.toFile(), DeviceConfig.class);
    } catch (Exception e) {
      throw new AssertionError(
          "the state file is not a config (" + Files.size(file) + " bytes): " + e, e);
    }
    assertThat(c.hashMatches())
        .as("the state file's content matches its hash (not a mix)")
        .isTrue();
    return c;
  }

  /** The agent holds {@code c} and the node shows it, and only it. */
  private void assertNodeShows(DeviceConfig c, String when) throws Exception {
    var status = call(operator, "GET", "/v1/status", null);
    assertThat(JSON.readTree(status.body()).path("appliedHash").asText())
        .as("%s: the applied config", when)
        .isEqualTo(c.hash());
    NodeState shown = NodeState.read(NS, IF, UNDERLAY);
    List<String> differences = shown.differences(NodeState.of(c));
    if (!differences.isEmpty()) {
      throw new AssertionError(
          when
              + ": the node does not show "
              + configs.name(c.hash())
              + " alone:\n  "
              + String.join("\n  ", differences)
              + "\nthe node: "
              + shown);
    }
  }

  private static void assertApplied(HttpResponse<String> r, DeviceConfig c, String when) {
    assertThat(r.statusCode())
        .as("%s: applying %s: %s", when, configs.name(c.hash()), r.body())
        .isEqualTo(200);
  }

  private static String identity(HttpClient operator) throws Exception {
    return JSON.readTree(call(operator, "GET", "/v1/identity", null).body())
        .get("publicKey")
        .asText();
  }

  private static HttpResponse<String> put(HttpClient operator, DeviceConfig c) throws Exception {
    return operator.send(request("PUT", c), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> call(
      HttpClient operator, String method, String path, Object body) throws Exception {
    return operator.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String method, Object body) throws Exception {
    return request(method, "/v1/config", body);
  }

  private static HttpRequest request(String method, String path, Object body) throws Exception {
    return HttpRequest.newBuilder(URI.create("https://" + CONTROL_IP + ":9443" + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
  }

  private static String summary(List<Long> ms) {
    List<Long> s = ms.stream().sorted().toList();
    return s.isEmpty()
        ? "-"
        : "median " + s.get(s.size() / 2) + ", min " + s.getFirst() + ", max " + s.getLast();
  }

  /** How long applies take, from those timed so far. */
  static final class Calibration {
    private final List<Long> ms = new ArrayList<>();

    void add(long applyMs) {
      ms.add(applyMs);
    }

    /** The median of the last five. */
    long typical() {
      List<Long> last =
          ms.subList(Math.max(0, ms.size() - 5), ms.size()).stream().sorted().toList();
      return last.get(last.size() / 2);
    }

    /** The longest random delay: past the end of a typical apply. */
    long bound() {
      return typical() * 3 / 2 + 5;
    }

    @Override
    public String toString() {
      return summary(ms);
    }
  }
}
