package dev.wiremesh.operator.pki;

import dev.wiremesh.operator.pki.CertificateAuthority.Usage;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the PKI in Secrets of the operator's namespace: {@value #CA_SECRET} (the CA's certificate
 * and key; only the operator reads it), {@value #AGENT_SECRET} (a {@code kubernetes.io/tls} Secret
 * the agent DaemonSet mounts: tls.crt, tls.key, ca.crt) and {@value #OPERATOR_SECRET} (the
 * operator's client certificate). {@link #ensure()} creates what is missing and renews what is due;
 * it is idempotent.
 */
public final class PkiSecrets {

  public static final String CA_SECRET = "wiremesh-ca";
  public static final String AGENT_SECRET = "wiremesh-agent-tls";
  public static final String OPERATOR_SECRET = "wiremesh-operator-tls";

  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration LEAF_VALIDITY = Duration.ofDays(90);

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;

  /** The material the operator's agent client needs. */
  public record Material(CertificateAuthority ca, IssuedCertificate client) {}

  public PkiSecrets(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  /** Creates or renews the CA, the agents' and the operator's certificates; returns the latter. */
  public Material ensure() {
    CertificateAuthority ca = ensureCa();
    ensureLeaf(
        ca, AGENT_SECRET, "wiremesh-agent", CertificateAuthority.AGENT_SERVER_NAME, Usage.SERVER);
    IssuedCertificate operator =
        ensureLeaf(
            ca,
            OPERATOR_SECRET,
            "wiremesh-operator",
            CertificateAuthority.OPERATOR_CLIENT_NAME,
            Usage.CLIENT);
    return new Material(ca, operator);
  }

  private CertificateAuthority ensureCa() {
    Optional<Secret> existing = get(CA_SECRET);
    if (existing.isPresent()) {
      Map<String, String> data = existing.get().getData();
      return new CertificateAuthority(
          new IssuedCertificate(
              Pem.certificate(decode(data, "ca.crt")), Pem.privateKey(decode(data, "ca.key"))));
    }
    CertificateAuthority ca =
        CertificateAuthority.create("wiremesh-ca", clock.instant(), CA_VALIDITY);
    write(
        CA_SECRET,
        "Opaque",
        Map.of("ca.crt", Pem.encode(ca.certificate()), "ca.key", Pem.encode(ca.ca().key())));
    return ca;
  }

  private IssuedCertificate ensureLeaf(
      CertificateAuthority ca, String name, String cn, String dnsName, Usage usage) {
    String caPem = Pem.encode(ca.certificate());
    Optional<Secret> existing = get(name);
    if (existing.isPresent()) {
      Map<String, String> data = existing.get().getData();
      if (data != null
          && data.containsKey("tls.crt")
          && data.containsKey("tls.key")
          && caPem.equals(decode(data, "ca.crt"))) {
        var cert = Pem.certificate(decode(data, "tls.crt"));
        if (!Renewal.isDue(cert, clock.instant())) {
          return new IssuedCertificate(cert, Pem.privateKey(decode(data, "tls.key")));
        }
      }
    }
    IssuedCertificate leaf = ca.issue(cn, List.of(dnsName), usage, clock.instant(), LEAF_VALIDITY);
    write(
        name,
        "kubernetes.io/tls",
        Map.of(
            "tls.crt",
            Pem.encode(leaf.certificate()),
            "tls.key",
            Pem.encode(leaf.key()),
            "ca.crt",
            caPem));
    return leaf;
  }

  private Optional<Secret> get(String name) {
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  private void write(String name, String type, Map<String, String> plain) {
    Map<String, String> data = new java.util.TreeMap<>();
    plain.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "wiremesh-operator")
            .endMetadata()
            .withType(type)
            .withData(data)
            .build();
    client.secrets().inNamespace(namespace).resource(secret).createOr(r -> r.update());
  }

  private static String decode(Map<String, String> data, String key) {
    String v = data == null ? null : data.get(key);
    if (v == null) {
      return "";
    }
    return new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }
}
