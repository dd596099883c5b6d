package dev.wiremesh.planner.locations;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When a node's agent counts as gone, from the operator's status polls. A node is <em>alive</em>
 * while its agent answered within the failover time; it is <em>settled</em> once it has answered
 * every poll for at least the failover time. A node the operator has never polled is given the
 * failover time from its first poll (after an operator restart, a leader is not dropped for having
 * been unobserved).
 *
 * <p>Only the operator's pass calls this (one pass per mesh at a time); not thread-safe.
 */
public final class AgentLiveness {

  private final Duration failoverAfter;
  private final Map<String, Instant> lastAnswer = new HashMap<>();
  private final Map<String, Instant> upSince = new HashMap<>();

  public AgentLiveness(Duration failoverAfter) {
    if (failoverAfter.isNegative()) {
      throw new IllegalArgumentException("failoverAfter must not be negative: " + failoverAfter);
    }
    this.failoverAfter = failoverAfter;
  }

  public Duration failoverAfter() {
    return failoverAfter;
  }

  /** Records one poll of {@code node}'s agent at {@code now}: whether it answered. */
  public void observe(String node, boolean answered, Instant now) {
    if (answered) {
      lastAnswer.put(node, now);
      upSince.putIfAbsent(node, now);
    } else {
      lastAnswer.putIfAbsent(node, now);
      upSince.remove(node);
    }
  }

  /** Whether the agent answered within the failover time. */
  public boolean alive(String node, Instant now) {
    Instant last = lastAnswer.get(node);
    return last != null && !now.isAfter(last.plus(failoverAfter));
  }

  /** Whether the agent answered every poll for at least the failover time. */
  public boolean settled(String node, Instant now) {
    Instant since = upSince.get(node);
    return since != null && !now.isBefore(since.plus(failoverAfter));
  }

  /**
   * When {@code node} stops counting as alive if it does not answer again; empty when it is not
   * alive now. The operator re-checks then, so a gone leader is replaced within the failover time
   * plus one poll.
   */
  public Optional<Instant> aliveUntil(String node, Instant now) {
    return alive(node, now)
        ? Optional.of(lastAnswer.get(node).plus(failoverAfter))
        : Optional.empty();
  }

  /** When {@code node} becomes settled if it keeps answering; empty if it is down. */
  public Optional<Instant> settledAt(String node) {
    Instant since = upSince.get(node);
    return since == null ? Optional.empty() : Optional.of(since.plus(failoverAfter));
  }

  /** Forgets nodes that left the mesh. */
  public void retainOnly(java.util.Set<String> nodes) {
    lastAnswer.keySet().retainAll(nodes);
    upSince.keySet().retainAll(nodes);
  }
}
