package dev.wiremesh.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.wiremesh.operator.agent.TestPki;
import dev.wiremesh.operator.pki.CertificateAuthority.Usage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class PkiTest {

  static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

  @Test
  void issuedCertificatesChainToTheCaAndCarryTheirRole() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.create("wiremesh-ca", NOW, Duration.ofDays(3650));
    IssuedCertificate server =
        ca.issue(
            "agent",
            List.of(CertificateAuthority.AGENT_SERVER_NAME),
            Usage.SERVER,
            NOW,
            Duration.ofDays(90));
    server.certificate().verify(ca.certificate().getPublicKey());
    assertThat(server.certificate().getIssuerX500Principal())
        .isEqualTo(ca.certificate().getSubjectX500Principal());
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(ca.certificate().getBasicConstraints()).isZero();
    assertThat(server.toString()).contains("redacted").doesNotContain("BEGIN");
  }

  @Test
  void pemRoundTrips() {
    CertificateAuthority ca = CertificateAuthority.create("wiremesh-ca", NOW, Duration.ofDays(10));
    String certPem = Pem.encode(ca.certificate());
    String keyPem = Pem.encode(ca.ca().key());
    assertThat(certPem).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Pem.certificate(certPem)).isEqualTo(ca.certificate());
    assertThat(Pem.privateKey(keyPem).getEncoded()).isEqualTo(ca.ca().key().getEncoded());
    assertThatThrownBy(() -> Pem.certificate(keyPem))
        .hasMessageContaining("not hold a certificate");
  }

  @Test
  void renewsOnceLessThanAThirdOfTheLifetimeRemains() {
    CertificateAuthority ca = CertificateAuthority.create("ca", NOW, Duration.ofDays(3650));
    IssuedCertificate leaf = ca.issue("x", List.of("x"), Usage.CLIENT, NOW, Duration.ofDays(90));
    assertThat(Renewal.isDue(leaf.certificate(), NOW)).isFalse();
    assertThat(Renewal.isDue(leaf.certificate(), NOW.plus(Duration.ofDays(59)))).isFalse();
    assertThat(Renewal.isDue(leaf.certificate(), NOW.plus(Duration.ofDays(61)))).isTrue();
    assertThat(Renewal.isDue(leaf.certificate(), NOW.plus(Duration.ofDays(91)))).isTrue();
    assertThat(Renewal.isDue(leaf.certificate(), NOW.minus(Duration.ofDays(1)))).isTrue();
  }

  @Test
  void mutualTlsAcceptsOnlyTheMeshCaOnBothSides() throws Exception {
    Instant now = Instant.now();
    TestPki pki = new TestPki(CertificateAuthority.create("wiremesh-ca", now, Duration.ofDays(1)));
    CertificateAuthority ca = pki.ca;
    IssuedCertificate operator = pki.operator;
    URI uri = serve(pki.agentServer);
    try {
      // The operator's client: accepted, and it accepts the agent although addressed by IP.
      assertThat(get(pki.operatorClient, uri)).isEqualTo(200);

      // A client certificate from another CA is refused by the agent.
      CertificateAuthority other = CertificateAuthority.create("other", now, Duration.ofDays(1));
      IssuedCertificate stranger =
          other.issue(
              "x",
              List.of(CertificateAuthority.OPERATOR_CLIENT_NAME),
              Usage.CLIENT,
              now,
              Duration.ofDays(1));
      SSLContext strangerCtx = AgentTls.clientContext(ca.certificate(), stranger);
      assertThatThrownBy(() -> get(strangerCtx, uri)).isInstanceOf(java.io.IOException.class);

      // An agent whose certificate chains to another CA is refused by the operator.
      SSLContext trustsOther = AgentTls.clientContext(other.certificate(), operator);
      assertThatThrownBy(() -> get(trustsOther, uri)).isInstanceOf(java.io.IOException.class);
    } finally {
      stop(uri);
    }
  }

  /**
   * While a renewed CA is rolled out, both sides trust the new CA and the one it replaces (two CAs
   * of the same name): every pairing of an agent and an operator certificate, old or new, is
   * accepted through a real TLS handshake, and a third CA is still refused.
   */
  @Test
  void duringACaRenewalCertificatesOfBothCasAreAcceptedBothWays() throws Exception {
    Instant now = Instant.now();
    CertificateAuthority old = CertificateAuthority.create("wiremesh-ca", now, Duration.ofDays(1));
    CertificateAuthority next = CertificateAuthority.create("wiremesh-ca", now, Duration.ofDays(1));
    List<java.security.cert.X509Certificate> both = List.of(next.certificate(), old.certificate());
    for (CertificateAuthority agentCa : List.of(old, next)) {
      for (CertificateAuthority operatorCa : List.of(old, next)) {
        IssuedCertificate agent = new TestPki(agentCa).agent;
        IssuedCertificate operator = new TestPki(operatorCa).operator;
        SSLContext server = AgentTls.serverContext(both, agent);
        URI uri = serve(server);
        try {
          assertThat(get(AgentTls.clientContext(both, operator), uri))
              .as(
                  "agent of "
                      + (agentCa == old ? "old" : "new")
                      + " CA, operator of "
                      + (operatorCa == old ? "old" : "new"))
              .isEqualTo(200);
          CertificateAuthority other =
              CertificateAuthority.create("wiremesh-ca", now, Duration.ofDays(1));
          IssuedCertificate stranger = new TestPki(other).operator;
          assertThatThrownBy(() -> get(AgentTls.clientContext(both, stranger), uri))
              .isInstanceOf(java.io.IOException.class);
        } finally {
          stop(uri);
        }
      }
    }
  }

  private final java.util.Map<URI, HttpsServer> servers = new java.util.HashMap<>();

  /** An HTTPS server answering /v1/identity with {@code ctx}, requiring a client certificate. */
  private URI serve(SSLContext ctx) throws Exception {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(ctx) {
          @Override
          public void configure(HttpsParameters params) {
            var p = ctx.getDefaultSSLParameters();
            p.setNeedClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    server.createContext(
        "/v1/identity",
        exchange -> {
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/identity");
    servers.put(uri, server);
    return uri;
  }

  private void stop(URI uri) {
    servers.remove(uri).stop(0);
  }

  @Test
  void aServerCertificateWithoutTheAgentNameIsRefused() throws Exception {
    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.create("wiremesh-ca", now, Duration.ofDays(1));
    IssuedCertificate notAnAgent =
        ca.issue("web", List.of("example.com"), Usage.SERVER, now, Duration.ofDays(1));
    assertThat(AgentTls.hasDnsName(notAnAgent.certificate(), "example.com")).isTrue();
    assertThat(
            AgentTls.hasDnsName(notAnAgent.certificate(), CertificateAuthority.AGENT_SERVER_NAME))
        .isFalse();
  }

  static int get(SSLContext ctx, URI uri) throws Exception {
    try (HttpClient client =
        HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build()) {
      return client
          .send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }
}
