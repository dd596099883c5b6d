package dev.wiremesh.operator.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * JSON over HTTPS to the agents with the operator's client certificate. Stateless apart from the
 * connection pool; safe for concurrent use. Counts the request body bytes it sends (for the scale
 * benchmark and metrics).
 */
public final class AgentHttp implements AutoCloseable {

  private final HttpClient client;
  private final ObjectMapper json;
  private final Duration requestTimeout;
  private final AtomicLong bytesSent = new AtomicLong();

  public AgentHttp(
      SSLContext tls, ObjectMapper json, Duration connectTimeout, Duration requestTimeout) {
    this.client =
        HttpClient.newBuilder()
            .sslContext(tls)
            .connectTimeout(connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.json = json;
    this.requestTimeout = requestTimeout;
  }

  /** GETs {@code path} and maps the JSON answer to {@code type}. */
  public <T> T get(Agent agent, String path, Class<T> type) throws AgentException {
    HttpRequest request =
        HttpRequest.newBuilder(agent.baseUri().resolve(path))
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    String body = call(agent, request);
    try {
      return json.readValue(body, type);
    } catch (JsonProcessingException e) {
      throw new AgentException(
          502,
          "agent on "
              + agent.node()
              + " answered "
              + path
              + " with JSON that does not map to "
              + type.getSimpleName(),
          e);
    }
  }

  /** POSTs {@code body} as JSON to {@code path} and maps the JSON answer to {@code type}. */
  public <T> T post(Agent agent, String path, Object body, Class<T> type) throws AgentException {
    String answer = call(agent, request(agent, "POST", path, body));
    try {
      return json.readValue(answer, type);
    } catch (JsonProcessingException e) {
      throw new AgentException(
          502,
          "agent on " + agent.node() + " answered " + path + " with JSON that does not map",
          e);
    }
  }

  /** Sends {@code body} as JSON with {@code method} (PUT or PATCH); 2xx is success. */
  public void send(Agent agent, String method, String path, Object body) throws AgentException {
    call(agent, request(agent, method, path, body));
  }

  private HttpRequest request(Agent agent, String method, String path, Object body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + body.getClass().getSimpleName(), e);
    }
    bytesSent.addAndGet(bytes.length);
    HttpRequest request =
        HttpRequest.newBuilder(agent.baseUri().resolve(path))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    return request;
  }

  /** Total request body bytes sent so far. */
  public long bytesSent() {
    return bytesSent.get();
  }

  private String call(Agent agent, HttpRequest request) throws AgentException {
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AgentException(
          0,
          "agent on "
              + agent.node()
              + " at "
              + agent.baseUri()
              + " is unreachable: "
              + e.getClass().getSimpleName(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(0, "interrupted calling agent on " + agent.node(), e);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      String detail = response.body() == null ? "" : response.body();
      if (detail.length() > 300) {
        detail = detail.substring(0, 300);
      }
      throw new AgentException(
          status,
          "agent on "
              + agent.node()
              + " answered "
              + request.method()
              + " "
              + request.uri().getPath()
              + " with "
              + status
              + ": "
              + detail,
          null);
    }
    return response.body();
  }

  @Override
  public void close() {
    client.close();
  }
}
