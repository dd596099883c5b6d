package dev.wiremesh.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.AgentApi;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.operator.agent.AgentHttp;
import dev.wiremesh.operator.agent.AgentPusher;
import dev.wiremesh.operator.agent.Backoff;
import dev.wiremesh.operator.agent.ConfigDeltas;
import dev.wiremesh.operator.pki.AgentTls;
import dev.wiremesh.operator.pki.PkiSecrets;
import dev.wiremesh.operator.pki.Renewal;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;

/**
 * Owns the PKI material and the agent client built from it. The PKI Secrets are ensured on first
 * use (the first reconcile), then re-checked every {@code wiremesh.pki.check-interval} (5 minutes)
 * and whenever the operator's client certificate is due — which renews the agents' Secret too (the
 * agents reload mounted certificates); the client is rebuilt only when its certificate or the CA
 * changed.
 */
@ApplicationScoped
public class AgentBeans {

  @Inject KubernetesClient client;
  @Inject OperatorConfig config;
  @Inject ObjectMapper json;
  @Inject Clock clock;

  private PkiSecrets.Material material;
  private java.time.Instant checked = java.time.Instant.MIN;
  private AgentHttp http;
  private AgentPusher<DeviceConfig> pusher;

  /** The current client; renews the PKI first when due. */
  public synchronized AgentHttp http() {
    ensure();
    return http;
  }

  public synchronized AgentPusher<DeviceConfig> pusher() {
    ensure();
    return pusher;
  }

  private void ensure() {
    java.time.Instant now = clock.instant();
    if (material != null
        && !Renewal.isDue(material.client().certificate(), now)
        && now.isBefore(checked.plus(config.pki().checkInterval()))) {
      return;
    }
    PkiSecrets.Material fresh =
        new PkiSecrets(client, config.namespace(), clock, config.pki().caOverlap()).ensure();
    checked = now;
    if (material != null
        && fresh.client().certificate().equals(material.client().certificate())
        && fresh.trusted().equals(material.trusted())) {
      return; // nothing changed: keep the client, its connections and what the pusher knows
    }
    material = fresh;
    if (http != null) {
      pusher.close();
      http.close();
    }
    var a = config.agent();
    http =
        new AgentHttp(
            AgentTls.clientContext(material.trusted(), material.client()),
            json,
            a.connectTimeout(),
            a.requestTimeout());
    AgentHttp h = http;
    pusher =
        new AgentPusher<>(
            h,
            a.parallelism(),
            new Backoff(Backoff.DEFAULT.first(), Backoff.DEFAULT.max(), a.attempts()),
            Backoff.Sleeper.REAL,
            DeviceConfig::hash,
            ConfigDeltas::between,
            agent -> h.get(agent, AgentApi.STATUS, DeviceStatus.class).appliedHash());
  }

  /** Drops all in-memory state, as a restart does; the next use rebuilds it from the cluster. */
  public synchronized void reset() {
    close();
    material = null;
    checked = java.time.Instant.MIN;
    http = null;
    pusher = null;
  }

  @PreDestroy
  synchronized void close() {
    if (pusher != null) {
      pusher.close();
      http.close();
    }
  }
}
