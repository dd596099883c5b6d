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
    client.secrets().inNamespace("wiremesh").delete();
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

  /**
   * The CA renewed with the mesh running: once a third of its ten years remains, a new CA is
   * trusted beside the old one while the certificates the old one issued stay in use (an agent that
   * has not reloaded yet still trusts the operator's, and the operator it); after the overlap the
   * certificates come from the new CA; the old CA is trusted until it expires, then dropped. At
   * every step, the agents' certificate and the operator's are accepted by each other through TLS.
   */
  @Test
  void theCaIsRenewedInTwoStepsWithBothTrustedMeanwhile() throws Exception {
    client.secrets().inNamespace("wiremesh").delete();
    Instant t0 = T0;
    PkiSecrets.Material first = at(t0).ensure();
    assertThat(first.trusted()).containsExactly(first.ca().certificate());

    // Leaves renewed every 60 days as usual; the last renewal before the CA falls due.
    Instant beforeDue = t0.plus(Duration.ofDays(2430));
    PkiSecrets.Material old = at(beforeDue).ensure();
    String agentCertificate = agentData().get("tls.crt");
    assertThat(old.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(old.client().certificate()).isNotEqualTo(first.client().certificate());

    // Less than a third of 3650 days left: a new CA, trusted first, the old one beside it; the
    // certificates stay, only the trust changes.
    Instant due = t0.plus(Duration.ofDays(2440));
    PkiSecrets.Material rolled = at(due).ensure();
    assertThat(rolled.ca().certificate()).isNotEqualTo(first.ca().certificate());
    assertThat(rolled.trusted())
        .containsExactly(rolled.ca().certificate(), first.ca().certificate());
    assertThat(rolled.client().certificate()).isEqualTo(old.client().certificate());
    assertThat(agentData().get("tls.crt")).isEqualTo(agentCertificate);
    assertThat(agentData().get("ca.crt"))
        .isEqualTo(Pem.encode(rolled.ca().certificate()) + Pem.encode(first.ca().certificate()));
    assertThat(caSecret().getData()).containsKey(PkiSecrets.PREVIOUS_CA);
    trustEachOther(rolled);

    // A restart within the overlap changes nothing.
    PkiSecrets.Material again = at(due.plus(Duration.ofMinutes(5))).ensure();
    assertThat(again).isEqualTo(rolled);

    // After the overlap: the certificates come from the new CA; the old CA is still trusted.
    PkiSecrets.Material reissued = at(due.plus(PkiSecrets.DEFAULT_OVERLAP).plusSeconds(1)).ensure();
    assertThat(reissued.ca().certificate()).isEqualTo(rolled.ca().certificate());
    assertThat(PkiSecrets.issuedBy(reissued.client().certificate(), rolled.ca().certificate()))
        .isTrue();
    assertThat(
            PkiSecrets.issuedBy(
                Pem.certificate(agentData().get("tls.crt")), rolled.ca().certificate()))
        .isTrue();
    assertThat(reissued.trusted()).hasSize(2);
    trustEachOther(reissued);

    // Once the old CA has expired, it is no longer trusted.
    Instant oldExpired = first.ca().certificate().getNotAfter().toInstant().plusSeconds(1);
    PkiSecrets.Material after = at(oldExpired).ensure();
    assertThat(after.trusted()).containsExactly(rolled.ca().certificate());
    assertThat(agentData().get("ca.crt")).isEqualTo(Pem.encode(rolled.ca().certificate()));
    assertThat(caSecret().getData()).doesNotContainKey(PkiSecrets.PREVIOUS_CA);
  }

  static io.fabric8.kubernetes.api.model.Secret caSecret() {
    return client.secrets().inNamespace("wiremesh").withName(PkiSecrets.CA_SECRET).get();
  }

  static java.util.Map<String, String> agentData() {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    client
        .secrets()
        .inNamespace("wiremesh")
        .withName(PkiSecrets.AGENT_SECRET)
        .get()
        .getData()
        .forEach(
            (k, v) ->
                out.put(
                    k,
                    new String(
                        java.util.Base64.getDecoder().decode(v),
                        java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  /**
   * The agents' certificate and the operator's are each issued by a CA the other trusts (the
   * agents' trust as their ca.crt lists it); a real TLS handshake across two CAs is in {@code
   * PkiTest}.
   */
  static void trustEachOther(PkiSecrets.Material m) throws Exception {
    var data = agentData();
    var agent =
        new IssuedCertificate(
            Pem.certificate(data.get("tls.crt")), Pem.privateKey(data.get("tls.key")));
    // The agent trusts every CA in its ca.crt: each one in turn, as a trust store of one.
    java.util.List<java.security.cert.X509Certificate> agentTrust = new java.util.ArrayList<>();
    try (var parser =
        new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(data.get("ca.crt")))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        agentTrust.add(
            new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate((org.bouncycastle.cert.X509CertificateHolder) o));
      }
    }
    assertThat(agentTrust).isEqualTo(m.trusted());
    assertThat(
            agentTrust.stream().anyMatch(ca -> PkiSecrets.issuedBy(m.client().certificate(), ca)))
        .as("the agent trusts the operator's certificate")
        .isTrue();
    assertThat(m.trusted().stream().anyMatch(ca -> PkiSecrets.issuedBy(agent.certificate(), ca)))
        .as("the operator trusts the agents' certificate")
        .isTrue();
  }
}
