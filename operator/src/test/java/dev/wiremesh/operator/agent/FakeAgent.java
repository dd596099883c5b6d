package dev.wiremesh.operator.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.PeerStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * An agent faked at the HTTP level: HTTPS with client authentication, recording every PUT and PATCH
 * of /v1/config, keeping the applied hash like a real agent (PATCH on another base gets 409), and
 * answering GET /v1/identity and GET /v1/status. It can go down (connections refused) and come back
 * on the same port, keeping what it applied, like an agent that restores its config from disk.
 *
 * <p>Given its keys ({@link #keys}), it also takes the key rotation steps of POST /v1/key-rotation
 * as the real agent does ({@link FakeKeyRotation}), and reports them in its identity and status.
 */
public final class FakeAgent implements AutoCloseable {

  /** One recorded write. */
  public record Write(String method, String body) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SSLContext tls;
  private final String node;
  private final List<Write> writes = new CopyOnWriteArrayList<>();
  private volatile int port;
  private volatile HttpsServer server;
  private volatile String appliedHash;
  private volatile String appliedConfig;
  private volatile Supplier<String> identity = () -> "{}";
  private volatile Supplier<String> status;
  private volatile DeviceConfig current;
  private volatile long handshake;
  private final java.util.Map<String, Long> handshakeOf =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile FakeKeyRotation keys;

  public FakeAgent(String node, SSLContext serverTls) throws IOException {
    this.node = node;
    this.tls = serverTls;
    this.status = this::defaultStatus;
    start(0);
  }

  public String node() {
    return node;
  }

  public Agent agent() {
    return new Agent(node, URI.create("https://127.0.0.1:" + port));
  }

  public int port() {
    return port;
  }

  public List<Write> writes() {
    return List.copyOf(writes);
  }

  public void clearWrites() {
    writes.clear();
  }

  public String appliedHash() {
    return appliedHash;
  }

  /** The last full or patched-to configuration body received (PUT body, or the PATCH body). */
  public String appliedConfig() {
    return appliedConfig;
  }

  /** The device config the agent holds now (after PUTs and PATCHes), or null. */
  public DeviceConfig current() {
    return current;
  }

  /** Public keys of the peers the agent holds now. */
  public java.util.List<String> peerKeys() {
    DeviceConfig c = current;
    return c == null ? List.of() : c.peers().stream().map(PeerConfig::publicKey).sorted().toList();
  }

  /** From now on, report every peer with a handshake at {@code epochSecond} (0: none). */
  public void handshakes(long epochSecond) {
    this.handshake = epochSecond;
  }

  /** From now on, report the peer with this key with a handshake at {@code epochSecond}. */
  public void handshake(String publicKey, long epochSecond) {
    handshakeOf.put(publicKey, epochSecond);
  }

  private String defaultStatus() {
    DeviceConfig c = current;
    List<PeerStatus> peers =
        c == null
            ? List.of()
            : c.peers().stream()
                .map(
                    p ->
                        new PeerStatus(
                            p.publicKey(),
                            p.endpoint(),
                            handshakeOf.getOrDefault(p.publicKey(), handshake),
                            100,
                            200))
                .toList();
    try {
      FakeKeyRotation k = keys;
      return JSON.writeValueAsString(
          new DeviceStatus(appliedHash, k == null ? null : k.publicKey(), 51820, peers));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public void identity(Supplier<String> json) {
    this.identity = json;
  }

  /**
   * From now on the agent holds {@code publicKey}, listens on {@code listenPort} at {@code
   * endpoints}, and supports key rotation: its identity and status report its keys as they move.
   */
  public void keys(String publicKey, int listenPort, List<String> endpoints) {
    FakeKeyRotation k = new FakeKeyRotation(publicKey, listenPort, endpoints);
    this.keys = k;
    this.identity = () -> json(k.identity());
  }

  /** The agent's key rotation (null unless {@link #keys} was called). */
  public FakeKeyRotation keyRotation() {
    return keys;
  }

  public void status(Supplier<String> json) {
    this.status = json;
  }

  /** Stops listening: connections are refused until {@link #up()}. */
  public synchronized void down() {
    server.stop(0);
  }

  /** Listens again on the same port. */
  public synchronized void up() throws IOException {
    start(port);
  }

  private synchronized void start(int onPort) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", onPort), 64);
    s.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            var p = tls.getDefaultSSLParameters();
            p.setNeedClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    s.createContext("/v1/identity", e -> answer(e, 200, identity.get()));
    s.createContext("/v1/status", e -> answer(e, 200, status.get()));
    s.createContext("/v1/config", this::config);
    s.createContext("/v1/key-rotation", this::keyRotation);
    s.start();
    this.server = s;
    this.port = s.getAddress().getPort();
  }

  private void config(HttpExchange e) throws IOException {
    String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String method = e.getRequestMethod();
    var tree = JSON.readTree(body);
    synchronized (this) {
      switch (method) {
        case "PUT" -> {
          writes.add(new Write(method, body));
          appliedHash = tree.path("hash").asText(null);
          appliedConfig = body;
          current = tree.has("interfaceName") ? JSON.readValue(body, DeviceConfig.class) : null;
          answer(e, 204, null);
        }
        case "PATCH" -> {
          writes.add(new Write(method, body));
          if (appliedHash == null || !appliedHash.equals(tree.path("baseHash").asText(null))) {
            answer(e, 409, "{\"title\":\"base hash differs\"}");
            return;
          }
          appliedHash = tree.path("hash").asText(null);
          appliedConfig = body;
          if (current != null && tree.has("upsert")) {
            current = current.apply(JSON.readValue(body, ConfigDelta.class));
          }
          answer(e, 204, null);
        }
        default -> answer(e, 405, null);
      }
    }
  }

  private void keyRotation(HttpExchange e) throws IOException {
    FakeKeyRotation k = keys;
    if (k == null) {
      answer(e, 404, "{\"title\":\"Not Found\"}"); // an agent older than key rotation
      return;
    }
    if (!"POST".equals(e.getRequestMethod())) {
      answer(e, 405, null);
      return;
    }
    var request =
        JSON.readValue(
            e.getRequestBody().readAllBytes(), dev.wiremesh.api.agent.KeyRotationRequest.class);
    FakeKeyRotation.Answer a = k.take(request);
    answer(e, a.code(), a.body());
  }

  private static void answer(HttpExchange e, int code, String body) throws IOException {
    if (body == null) {
      e.sendResponseHeaders(code, -1);
    } else {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      e.getResponseHeaders().add("Content-Type", "application/json");
      e.sendResponseHeaders(code, bytes.length);
      e.getResponseBody().write(bytes);
    }
    e.close();
  }

  @Override
  public synchronized void close() {
    server.stop(0);
  }
}
