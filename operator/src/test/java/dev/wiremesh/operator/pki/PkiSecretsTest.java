package dev.wiremesh.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PkiSecretsTest {

  static KubernetesClient client;

  static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

  static PkiSecrets at(Instant now) {
    return new PkiSecrets(client, "wiremesh", Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void createsOnFirstStartKeepsAcrossRestartsAndRenewsWellBeforeExpiry() {
    PkiSecrets.Material first = at(T0).ensure();
    var agentSecret =
        client.secrets().inNamespace("wiremesh").withName(PkiSecrets.AGENT_SECRET).get();
    assertThat(agentSecret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(agentSecret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");

    // A restart a day later: the same CA and the same certificates.
    PkiSecrets.Material restart = at(T0.plus(Duration.ofDays(1))).ensure();
    assertThat(restart.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(restart.client().certificate()).isEqualTo(first.client().certificate());
    assertThat(
            client
                .secrets()
                .inNamespace("wiremesh")
                .withName(PkiSecrets.AGENT_SECRET)
                .get()
                .getData())
        .isEqualTo(agentSecret.getData());

    // 61 days in, less than a third of 90 days remains: renewed from the same CA, agents' Secret
    // too.
    PkiSecrets.Material renewed = at(T0.plus(Duration.ofDays(61))).ensure();
    assertThat(renewed.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(renewed.client().certificate()).isNotEqualTo(first.client().certificate());
    assertThat(renewed.client().certificate().getNotAfter().toInstant())
        .isAfter(T0.plus(Duration.ofDays(150)));
    assertThat(
            client
                .secrets()
                .inNamespace("wiremesh")
                .withName(PkiSecrets.AGENT_SECRET)
                .get()
                .getData()
                .get("tls.crt"))
        .isNotEqualTo(agentSecret.getData().get("tls.crt"));
  }
}
