package dev.wiremesh.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentPusherTest {

  /** A stand-in for DeviceConfig: the pusher is generic in the config type. */
  record Config(String hash, List<String> peers) {}

  static final ObjectMapper JSON = new ObjectMapper();
  static final TestPki PKI = new TestPki();

  final List<FakeAgent> agents = new ArrayList<>();
  final List<Duration> slept = new ArrayList<>();
  AgentHttp http;

  @BeforeEach
  void setUp() throws Exception {
    for (String n : List.of("node-a", "node-b", "node-c")) {
      agents.add(new FakeAgent(n, PKI.agentServer));
    }
    http = new AgentHttp(PKI.operatorClient, JSON, Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() {
    agents.forEach(FakeAgent::close);
    http.close();
  }

  AgentPusher<Config> pusher(int parallelism) {
    return pusher(parallelism, statusProbe());
  }

  AgentPusher.HashProbe statusProbe() {
    return agent ->
        http.get(agent, "/v1/status", com.fasterxml.jackson.databind.JsonNode.class)
            .path("appliedHash")
            .asText(null);
  }

  AgentPusher<Config> pusher(int parallelism, AgentPusher.HashProbe probe) {
    return new AgentPusher<>(
        http,
        parallelism,
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 3),
        d -> {
          synchronized (slept) {
            slept.add(d);
          }
        },
        Config::hash,
        (prev, next) ->
            Map.of(
                "baseHash", prev.hash(),
                "hash", next.hash(),
                "upsert", next.peers().stream().filter(p -> !prev.peers().contains(p)).toList(),
                "remove", prev.peers().stream().filter(p -> !next.peers().contains(p)).toList()),
        probe);
  }

  Map<Agent, Config> all(Config c) {
    Map<Agent, Config> m = new LinkedHashMap<>();
    agents.forEach(a -> m.put(a.agent(), c));
    return m;
  }

  @Test
  void pushesInFullThenNothingWhenUnchangedThenDeltas() {
    try (var pusher = pusher(4)) {
      Config v1 = new Config("h1", List.of("p1", "p2"));
      assertThat(pusher.pushAll(all(v1)).values())
          .allMatch(r -> r instanceof PushResult.Applied a && !a.delta());
      agents.forEach(
          a -> assertThat(a.writes()).extracting(FakeAgent.Write::method).containsExactly("PUT"));

      assertThat(pusher.pushAll(all(v1)).values()).allMatch(r -> r instanceof PushResult.Unchanged);
      agents.forEach(a -> assertThat(a.writes()).hasSize(1));

      Config v2 = new Config("h2", List.of("p1", "p3"));
      assertThat(pusher.pushAll(all(v2)).values())
          .allMatch(r -> r instanceof PushResult.Applied a && a.delta());
      for (FakeAgent a : agents) {
        assertThat(a.writes()).extracting(FakeAgent.Write::method).containsExactly("PUT", "PATCH");
        assertThat(a.writes().get(1).body())
            .contains("\"baseHash\":\"h1\"")
            .contains("p3")
            .doesNotContain("p2\",")
            .contains("\"remove\":[\"p2\"]");
        assertThat(a.appliedHash()).isEqualTo("h2");
      }
    }
  }

  @Test
  void aNewOperatorProbesFirstAndSendsNothingWhenTheAgentHoldsTheHash() {
    Config v1 = new Config("h1", List.of("p1"));
    try (var first = pusher(4)) {
      first.pushAll(all(v1));
    }
    agents.forEach(FakeAgent::clearWrites);
    try (var restarted = pusher(4)) {
      assertThat(restarted.pushAll(all(v1)).values())
          .allMatch(r -> r instanceof PushResult.Unchanged);
      agents.forEach(a -> assertThat(a.writes()).isEmpty());
      // The agent holds exactly the desired config, so a later change goes out as a delta.
      restarted.pushAll(all(new Config("h2", List.of("p1", "p2"))));
      agents.forEach(
          a -> assertThat(a.writes()).extracting(FakeAgent.Write::method).containsExactly("PATCH"));
    }
  }

  @Test
  void aStaleBaseFallsBackToAFullConfiguration() {
    try (var pusher = pusher(4)) {
      pusher.pushAll(all(new Config("h1", List.of("p1"))));
      FakeAgent a = agents.getFirst();
      // Behind the pusher's back the agent now holds something else (e.g. restored an older
      // config).
      a.clearWrites();
      var other = pusher(1, statusProbe());
      other.pushAll(Map.of(a.agent(), new Config("h0", List.of())));
      other.close();
      a.clearWrites();
      PushResult r =
          pusher.pushAll(Map.of(a.agent(), new Config("h2", List.of("p2")))).get("node-a");
      assertThat(r).isEqualTo(new PushResult.Applied("h2", false, 1));
      assertThat(a.writes()).extracting(FakeAgent.Write::method).containsExactly("PATCH", "PUT");
      assertThat(a.appliedHash()).isEqualTo("h2");
    }
  }

  @Test
  void aDownAgentFailsAloneAndIsCaughtUpWhenBack() throws Exception {
    try (var pusher = pusher(4)) {
      pusher.pushAll(all(new Config("h1", List.of("p1"))));
      FakeAgent down = agents.get(1);
      down.down();
      Map<String, PushResult> results = pusher.pushAll(all(new Config("h2", List.of("p1", "p2"))));
      assertThat(results.get("node-a")).isInstanceOf(PushResult.Applied.class);
      assertThat(results.get("node-c")).isInstanceOf(PushResult.Applied.class);
      assertThat(results.get("node-b"))
          .isInstanceOfSatisfying(
              PushResult.Failed.class,
              f -> {
                assertThat(f.attempts()).isEqualTo(3);
                assertThat(f.error().status()).isZero();
                assertThat(f.error().getMessage()).contains("node-b").contains("unreachable");
              });
      assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
      assertThat(down.appliedHash()).isEqualTo("h1");

      down.up();
      down.clearWrites();
      results = pusher.pushAll(all(new Config("h2", List.of("p1", "p2"))));
      assertThat(results.get("node-b")).isInstanceOf(PushResult.Applied.class);
      assertThat(results.get("node-a")).isInstanceOf(PushResult.Unchanged.class);
      assertThat(down.appliedHash()).isEqualTo("h2");
    }
  }

  @Test
  void pushesInParallelWithABound() throws Exception {
    for (int i = 0; i < 3; i++) {
      agents.add(new FakeAgent("node-x" + i, PKI.agentServer));
    }
    AtomicInteger inside = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    AgentPusher.HashProbe gated =
        agent -> {
          inside.incrementAndGet();
          try {
            gate.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        };
    try (var pusher = pusher(2, gated)) {
      var done =
          CompletableFuture.supplyAsync(() -> pusher.pushAll(all(new Config("h1", List.of()))));
      await().atMost(Duration.ofSeconds(5)).until(() -> inside.get() == 2);
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(1))
          .until(() -> inside.get() == 2);
      gate.countDown();
      assertThat(done.get(10, TimeUnit.SECONDS))
          .hasSize(6)
          .allSatisfy((n, r) -> assertThat(r).isInstanceOf(PushResult.Applied.class));
      assertThat(inside.get()).isEqualTo(6);
    }
  }
}
