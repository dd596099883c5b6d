package dev.wiremesh.operator.agent;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Pushes each node's desired configuration to its agent, only when the agent's hash differs.
 *
 * <p>For every agent, independently and at most {@code parallelism} at a time:
 *
 * <ol>
 *   <li>if the hash the agent holds is unknown (operator just started, agent restarted), ask it
 *       ({@link HashProbe});
 *   <li>if it equals the desired hash, send nothing;
 *   <li>if the pusher applied the agent's current config itself, PATCH a delta on that base hash;
 *       on 409 (the agent holds something else) fall back to a full PUT;
 *   <li>otherwise PUT the full configuration.
 * </ol>
 *
 * Unreachable agents and 5xx answers are retried with {@link Backoff}; a failing agent occupies one
 * slot of the bound, never the others, and is caught up by the next {@link #pushAll} after it
 * returns.
 *
 * @param <C> the configuration type (the agent protocol's DeviceConfig)
 */
public final class AgentPusher<C> implements AutoCloseable {

  /** Asks an agent which configuration hash it holds (GET /v1/status); null when it holds none. */
  @FunctionalInterface
  public interface HashProbe {
    String appliedHash(Agent agent) throws AgentException;
  }

  public static final String CONFIG_PATH = "/v1/config";

  private record Held(String hash, Object config) {}

  private final AgentHttp http;
  private final Semaphore slots;
  private final Backoff backoff;
  private final Backoff.Sleeper sleeper;
  private final Function<C, String> hashOf;
  private final BiFunction<C, C, Object> delta;
  private final HashProbe probe;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param delta builds the ConfigDelta from the previous to the next configuration, or null when
   *     the change cannot travel as a delta (then the full configuration is sent)
   */
  public AgentPusher(
      AgentHttp http,
      int parallelism,
      Backoff backoff,
      Backoff.Sleeper sleeper,
      Function<C, String> hashOf,
      BiFunction<C, C, Object> delta,
      HashProbe probe) {
    this.http = http;
    this.slots = new Semaphore(parallelism);
    this.backoff = backoff;
    this.sleeper = sleeper;
    this.hashOf = hashOf;
    this.delta = delta;
    this.probe = probe;
  }

  /** Pushes every agent's desired config; returns each node's result, by node name. */
  public Map<String, PushResult> pushAll(Map<Agent, C> desired) {
    Map<String, Future<PushResult>> futures = new TreeMap<>();
    desired.forEach(
        (agent, config) -> futures.put(agent.node(), executor.submit(() -> push(agent, config))));
    Map<String, PushResult> results = new TreeMap<>();
    futures.forEach(
        (node, f) -> {
          try {
            results.put(node, f.get());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pushing", e);
          } catch (ExecutionException e) {
            throw new IllegalStateException(
                "push to " + node + " failed unexpectedly", e.getCause());
          }
        });
    return results;
  }

  /**
   * Records what a status poll saw: when the agent holds another hash than the pusher believes (it
   * restarted, or someone else wrote it), the pusher forgets its record so the next push is full.
   */
  public void observed(String node, String appliedHash) {
    held.computeIfPresent(node, (n, h) -> h.hash().equals(appliedHash) ? h : null);
    if (appliedHash != null) {
      held.putIfAbsent(node, new Held(appliedHash, null));
    }
  }

  /** Forgets a node (its agent is gone). */
  public void forget(String node) {
    held.remove(node);
  }

  /** The hash the pusher believes the node's agent holds. */
  public Optional<String> heldHash(String node) {
    return Optional.ofNullable(held.get(node)).map(Held::hash);
  }

  private PushResult push(Agent agent, C config) throws InterruptedException {
    String hash = hashOf.apply(config);
    slots.acquire();
    try {
      AgentException last = null;
      for (int attempt = 1; attempt <= backoff.attempts(); attempt++) {
        try {
          return attempt(agent, config, hash, attempt);
        } catch (AgentException e) {
          last = e;
          if (!e.retryable()) {
            break;
          }
          if (attempt < backoff.attempts()) {
            sleeper.sleep(backoff.delayAfter(attempt));
          }
        }
      }
      held.remove(agent.node());
      return new PushResult.Failed(hash, backoff.attempts(), last);
    } finally {
      slots.release();
    }
  }

  @SuppressWarnings("unchecked")
  private PushResult attempt(Agent agent, C config, String hash, int attempt)
      throws AgentException {
    Held current = held.get(agent.node());
    if (current == null) {
      String applied = probe.appliedHash(agent);
      current = new Held(applied, null);
      if (applied != null) {
        held.put(agent.node(), current);
      }
    }
    if (hash.equals(current.hash())) {
      held.put(agent.node(), new Held(hash, current.config() != null ? current.config() : config));
      return new PushResult.Unchanged(hash);
    }
    Object patch = current.config() == null ? null : delta.apply((C) current.config(), config);
    if (patch != null) {
      try {
        http.send(agent, "PATCH", CONFIG_PATH, patch);
        held.put(agent.node(), new Held(hash, config));
        return new PushResult.Applied(hash, true, attempt);
      } catch (AgentException e) {
        if (e.status() != 409) {
          throw e;
        }
        // The agent holds another base: fall through to a full configuration.
      }
    }
    http.send(agent, "PUT", CONFIG_PATH, config);
    held.put(agent.node(), new Held(hash, config));
    return new PushResult.Applied(hash, false, attempt);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
