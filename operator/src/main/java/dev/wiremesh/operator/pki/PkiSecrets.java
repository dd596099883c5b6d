package dev.wiremesh.operator.pki;

import dev.wiremesh.operator.pki.CertificateAuthority.Usage;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Keeps the PKI in Secrets of the operator's namespace: {@value #CA_SECRET} (the CA's certificate
 * and key; only the operator reads it), {@value #AGENT_SECRET} (a {@code kubernetes.io/tls} Secret
 * the agent DaemonSet mounts: tls.crt, tls.key, ca.crt) and {@value #OPERATOR_SECRET} (the
 * operator's client certificate). {@link #ensure()} creates what is missing and renews what is due;
 * it is idempotent.
 *
 * <p>The CA itself is renewed like a leaf, once less than a third of its lifetime remains, in two
 * steps so that nothing is ever refused: the new CA is trusted first, beside the one it replaces
 * (both in the {@code ca.crt} the agents and the operator trust, the old one kept in the CA
 * Secret's {@value #PREVIOUS_CA} until it expires), while the leaves it issued stay in use; once
 * {@code overlap} has passed — longer than the agents take to reload their mounted files — the
 * leaves are issued anew by the new CA.
 */
public final class PkiSecrets {

  public static final String CA_SECRET = "wiremesh-ca";
  public static final String AGENT_SECRET = "wiremesh-agent-tls";
  public static final String OPERATOR_SECRET = "wiremesh-operator-tls";

  /** The CA Secret's key for the certificate of the CA being replaced, trusted until it expires. */
  public static final String PREVIOUS_CA = "previous.crt";

  /** The CA Secret's annotation saying when the CA was last renewed (ISO-8601). */
  public static final String RENEWED_AT = "wiremesh.dev/ca-renewed-at";

  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration LEAF_VALIDITY = Duration.ofDays(90);

  /** How long the leaves of a replaced CA stay in use after a new CA is trusted, by default. */
  public static final Duration DEFAULT_OVERLAP = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private final Duration overlap;

  /**
   * The material the operator's agent client needs: the CA that issues, every CA certificate to
   * trust (the issuing one first, then the one it replaces while that is valid), and the client's
   * own certificate.
   */
  public record Material(
      CertificateAuthority ca, List<X509Certificate> trusted, IssuedCertificate client) {}

  /** The issuing CA, the one it replaced (or null) and when that happened (or null). */
  private record CaState(CertificateAuthority ca, X509Certificate previous, Instant renewedAt) {
    List<X509Certificate> trusted() {
      List<X509Certificate> out = new ArrayList<>(List.of(ca.certificate()));
      if (previous != null) {
        out.add(previous);
      }
      return List.copyOf(out);
    }
  }

  public PkiSecrets(KubernetesClient client, String namespace, Clock clock) {
    this(client, namespace, clock, DEFAULT_OVERLAP);
  }

  public PkiSecrets(KubernetesClient client, String namespace, Clock clock, Duration overlap) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
    this.overlap = overlap;
  }

  /** Creates or renews the CA, the agents' and the operator's certificates; returns the latter. */
  public Material ensure() {
    CaState ca = ensureCa();
    ensureLeaf(
        ca, AGENT_SECRET, "wiremesh-agent", CertificateAuthority.AGENT_SERVER_NAME, Usage.SERVER);
    IssuedCertificate operator =
        ensureLeaf(
            ca,
            OPERATOR_SECRET,
            "wiremesh-operator",
            CertificateAuthority.OPERATOR_CLIENT_NAME,
            Usage.CLIENT);
    return new Material(ca.ca(), ca.trusted(), operator);
  }

  private CaState ensureCa() {
    Instant now = clock.instant();
    Optional<Secret> existing = get(CA_SECRET);
    if (existing.isPresent()) {
      Secret secret = existing.get();
      Map<String, String> data = secret.getData();
      CertificateAuthority ca =
          new CertificateAuthority(
              new IssuedCertificate(
                  Pem.certificate(decode(data, "ca.crt")), Pem.privateKey(decode(data, "ca.key"))));
      String previousPem = decode(data, PREVIOUS_CA);
      X509Certificate previous =
          validAt(previousPem.isEmpty() ? null : Pem.certificate(previousPem), now);
      String at =
          secret.getMetadata().getAnnotations() == null
              ? null
              : secret.getMetadata().getAnnotations().get(RENEWED_AT);
      if (!Renewal.isDue(ca.certificate(), now)) {
        if (previous == null && !previousPem.isEmpty()) {
          writeCa(ca, null, null); // the replaced CA has expired: no longer trusted
        }
        return new CaState(ca, previous, at == null ? null : Instant.parse(at));
      }
      // Due: a new CA, trusted beside this one, which stays trusted until it expires.
      // Named after its start, so that no one mistakes one CA for the other while both are trusted.
      CertificateAuthority next =
          CertificateAuthority.create(
              "wiremesh-ca " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
              now,
              CA_VALIDITY);
      X509Certificate replaced = validAt(ca.certificate(), now);
      writeCa(next, replaced, now);
      return new CaState(next, replaced, now);
    }
    CertificateAuthority ca = CertificateAuthority.create("wiremesh-ca", now, CA_VALIDITY);
    writeCa(ca, null, null);
    return new CaState(ca, null, null);
  }

  private void writeCa(CertificateAuthority ca, X509Certificate previous, Instant renewedAt) {
    Map<String, String> data = new TreeMap<>();
    data.put("ca.crt", Pem.encode(ca.certificate()));
    data.put("ca.key", Pem.encode(ca.ca().key()));
    if (previous != null) {
      data.put(PREVIOUS_CA, Pem.encode(previous));
    }
    write(
        CA_SECRET,
        "Opaque",
        data,
        renewedAt == null ? Map.of() : Map.of(RENEWED_AT, renewedAt.toString()));
  }

  private IssuedCertificate ensureLeaf(
      CaState ca, String name, String cn, String dnsName, Usage usage) {
    Instant now = clock.instant();
    String trusted = ca.trusted().stream().map(Pem::encode).collect(Collectors.joining());
    Optional<Secret> existing = get(name);
    if (existing.isPresent()) {
      Map<String, String> data = existing.get().getData();
      if (data != null && data.containsKey("tls.crt") && data.containsKey("tls.key")) {
        var cert = Pem.certificate(decode(data, "tls.crt"));
        boolean inOverlap = ca.renewedAt() != null && now.isBefore(ca.renewedAt().plus(overlap));
        boolean issuedByTrusted =
            issuedBy(cert, ca.ca().certificate())
                || (inOverlap && ca.previous() != null && issuedBy(cert, ca.previous()));
        if (issuedByTrusted && !Renewal.isDue(cert, now)) {
          IssuedCertificate kept =
              new IssuedCertificate(cert, Pem.privateKey(decode(data, "tls.key")));
          if (!trusted.equals(decode(data, "ca.crt"))) {
            writeLeaf(name, kept, trusted); // the CAs to trust changed; this certificate stays
          }
          return kept;
        }
      }
    }
    IssuedCertificate leaf = ca.ca().issue(cn, List.of(dnsName), usage, now, LEAF_VALIDITY);
    writeLeaf(name, leaf, trusted);
    return leaf;
  }

  private void writeLeaf(String name, IssuedCertificate leaf, String trusted) {
    write(
        name,
        "kubernetes.io/tls",
        Map.of(
            "tls.crt",
            Pem.encode(leaf.certificate()),
            "tls.key",
            Pem.encode(leaf.key()),
            "ca.crt",
            trusted),
        Map.of());
  }

  /** Whether {@code ca}'s key signed {@code cert}. */
  static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static X509Certificate validAt(X509Certificate cert, Instant now) {
    return cert != null && now.isBefore(cert.getNotAfter().toInstant()) ? cert : null;
  }

  private Optional<Secret> get(String name) {
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  private void write(
      String name, String type, Map<String, String> plain, Map<String, String> annotations) {
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
            .addToAnnotations(annotations)
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
