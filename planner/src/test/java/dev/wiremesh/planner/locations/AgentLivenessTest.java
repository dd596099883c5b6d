package dev.wiremesh.planner.locations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentLivenessTest {
  static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

  static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void aSilentAgentIsGoneAfterTheFailoverTime() {
    AgentLiveness l = new AgentLiveness(Duration.ofSeconds(20));
    l.observe("n1", true, at(0));
    l.observe("n1", false, at(10));
    assertThat(l.alive("n1", at(10))).isTrue();
    assertThat(l.aliveUntil("n1", at(10))).contains(at(20));
    l.observe("n1", false, at(20));
    assertThat(l.alive("n1", at(20))).isTrue();
    l.observe("n1", false, at(21));
    assertThat(l.alive("n1", at(21))).isFalse();
    assertThat(l.aliveUntil("n1", at(21))).isEmpty();
  }

  @Test
  void aReturningAgentIsAliveAtOnceAndSettledAfterTheFailoverTime() {
    AgentLiveness l = new AgentLiveness(Duration.ofSeconds(20));
    l.observe("n1", true, at(0));
    l.observe("n1", false, at(30));
    assertThat(l.settled("n1", at(30))).isFalse();
    l.observe("n1", true, at(40));
    assertThat(l.alive("n1", at(40))).isTrue();
    assertThat(l.settled("n1", at(50))).isFalse();
    assertThat(l.settledAt("n1")).contains(at(60));
    l.observe("n1", true, at(60));
    assertThat(l.settled("n1", at(60))).isTrue();
    // One missed poll and it starts over.
    l.observe("n1", false, at(70));
    l.observe("n1", true, at(80));
    assertThat(l.settled("n1", at(90))).isFalse();
  }

  @Test
  void aNodeNeverSeenAnsweringGetsTheFailoverTimeFromTheFirstLook() {
    AgentLiveness l = new AgentLiveness(Duration.ofSeconds(20));
    l.observe("n1", false, at(0));
    assertThat(l.alive("n1", at(5))).isTrue();
    assertThat(l.settled("n1", at(5))).isFalse();
    l.observe("n1", false, at(25));
    assertThat(l.alive("n1", at(25))).isFalse();
    assertThat(l.alive("never-polled", at(0))).isFalse();
  }

  @Test
  void negativeFailoverTimeIsRefused() {
    assertThatThrownBy(() -> new AgentLiveness(Duration.ofSeconds(-1)))
        .hasMessageContaining("failoverAfter");
  }
}
