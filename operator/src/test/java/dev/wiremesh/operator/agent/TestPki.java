package dev.wiremesh.operator.agent;

import dev.wiremesh.operator.pki.AgentTls;
import dev.wiremesh.operator.pki.CertificateAuthority;
import dev.wiremesh.operator.pki.CertificateAuthority.Usage;
import dev.wiremesh.operator.pki.IssuedCertificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;

/** One CA for a test run, with an agent server context and an operator client context. */
public final class TestPki {
  public final CertificateAuthority ca;
  public final IssuedCertificate agent;
  public final IssuedCertificate operator;
  public final SSLContext agentServer;
  public final SSLContext operatorClient;

  public TestPki() {
    this(CertificateAuthority.create("test-ca", Instant.now(), Duration.ofDays(1)));
  }

  public TestPki(CertificateAuthority ca) {
    Instant now = Instant.now();
    this.ca = ca;
    this.agent =
        ca.issue(
            "agent",
            List.of(CertificateAuthority.AGENT_SERVER_NAME),
            Usage.SERVER,
            now,
            Duration.ofDays(1));
    this.operator =
        ca.issue(
            "operator",
            List.of(CertificateAuthority.OPERATOR_CLIENT_NAME),
            Usage.CLIENT,
            now,
            Duration.ofDays(1));
    this.agentServer = AgentTls.serverContext(ca.certificate(), agent);
    this.operatorClient = AgentTls.clientContext(ca.certificate(), operator);
  }
}
