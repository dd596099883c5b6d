package dev.wiremesh.operator.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.KeyRotationRequest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node agent's key rotation (node-agent's {@code KeyRotator}) over public keys only: {@code
 * prepare} makes a next key unless one is held, {@code commit} makes the next key the node's (the
 * former one still answered), {@code finish} forgets the former one. A repeated step changes
 * nothing; a step that does not fit the keys held is refused with 409 and changes nothing, as the
 * agent does. Records every step, and can lose the answer to one (taken, but answered 503), which
 * is what an operator stopped between a step and its record sees when it comes back.
 */
public final class FakeKeyRotation {
  /** An answer of POST /v1/key-rotation. */
  public record Answer(int code, String body) {}

  /** A step asked for, and the status it was answered with. */
  public record Step(String action, String publicKey, int code) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int listenPort;
  private final List<String> endpoints;
  private final List<Step> steps = new CopyOnWriteArrayList<>();
  private String current;
  private String next;
  private String previous;
  private boolean loseNextAnswer;

  FakeKeyRotation(String publicKey, int listenPort, List<String> endpoints) {
    this.current = publicKey;
    this.listenPort = listenPort;
    this.endpoints = List.copyOf(endpoints);
  }

  public synchronized Identity identity() {
    return new Identity(
        current, listenPort, endpoints, next, previous, List.of(Identity.KEY_ROTATION));
  }

  public synchronized String publicKey() {
    return current;
  }

  public synchronized String nextPublicKey() {
    return next;
  }

  public synchronized String previousPublicKey() {
    return previous;
  }

  /** Every step asked for so far, in order. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  /** The actions of the steps taken (answered 2xx, or taken with the answer lost), in order. */
  public List<String> taken() {
    return steps.stream()
        .filter(s -> s.code() != 409 && s.code() != 400)
        .map(Step::action)
        .toList();
  }

  /** The next step is taken, but its answer is lost (503). */
  public synchronized void loseTheNextAnswer() {
    loseNextAnswer = true;
  }

  synchronized Answer take(KeyRotationRequest r) {
    String action = r.action() == null ? "" : r.action();
    if (!List.of(KeyRotationRequest.PREPARE, KeyRotationRequest.COMMIT, KeyRotationRequest.FINISH)
        .contains(action)) {
      steps.add(new Step(action, r.publicKey(), 400));
      return problem(400, "action: '" + action + "' is not prepare, commit or finish");
    }
    String conflict =
        switch (action) {
          case KeyRotationRequest.PREPARE -> prepare();
          case KeyRotationRequest.COMMIT -> commit(r.publicKey());
          default -> finish(r.publicKey());
        };
    if (conflict != null) {
      steps.add(new Step(r.action(), r.publicKey(), 409));
      return problem(409, conflict);
    }
    if (loseNextAnswer) {
      loseNextAnswer = false;
      steps.add(new Step(r.action(), r.publicKey(), 503));
      return problem(503, "the answer was lost");
    }
    steps.add(new Step(r.action(), r.publicKey(), 200));
    return new Answer(200, json(identity()));
  }

  private String prepare() {
    if (next != null) {
      return null;
    }
    if (previous != null) {
      return "the previous rotation is not finished: the previous key " + previous + " is held";
    }
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    next = Base64.getEncoder().encodeToString(key);
    return null;
  }

  private String commit(String publicKey) {
    if (current.equals(publicKey)) {
      return null; // committed already
    }
    if (next == null || !next.equals(publicKey)) {
      return "publicKey " + publicKey + " is not this node's next key";
    }
    previous = current;
    current = next;
    next = null;
    return null;
  }

  private String finish(String publicKey) {
    if (!current.equals(publicKey)) {
      return "publicKey " + publicKey + " is not this node's key (" + current + ")";
    }
    previous = null;
    return null;
  }

  private static Answer problem(int code, String detail) {
    return new Answer(
        code, json(Map.of("title", "key rotation", "status", code, "detail", detail)));
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
