package dev.wiremesh.agent;

import java.io.StringWriter;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA and certificates for mutual-TLS tests. */
public final class TestPki {
  final KeyPair caKey;
  final X509Certificate ca;

  public TestPki(String name) throws Exception {
    caKey = keyPair();
    ca = issue(name, caKey, null, null, true, null);
  }

  static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  X509Certificate issue(String cn, KeyPair subject, String... sans) throws Exception {
    return issue(cn, subject, caKey, ca, false, sans);
  }

  static X509Certificate issue(
      String cn,
      KeyPair subject,
      KeyPair issuerKey,
      X509Certificate issuer,
      boolean isCa,
      String[] sans)
      throws Exception {
    Instant now = Instant.now();
    X500Name subjectName = new X500Name("CN=" + cn);
    var b =
        new JcaX509v3CertificateBuilder(
            issuer == null ? subjectName : new X500Name(issuer.getSubjectX500Principal().getName()),
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(1))),
            subjectName,
            subject.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (sans != null && sans.length > 0) {
      GeneralName[] names = new GeneralName[sans.length];
      for (int i = 0; i < sans.length; i++) {
        names[i] =
            sans[i].matches("[0-9.]+")
                ? new GeneralName(GeneralName.iPAddress, sans[i])
                : new GeneralName(GeneralName.dNSName, sans[i]);
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    var signer =
        new JcaContentSignerBuilder("SHA256withECDSA")
            .build(issuerKey == null ? subject.getPrivate() : issuerKey.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  /**
   * A leaf from this CA valid from {@code notBefore} to {@code notAfter}, with the extended key
   * usage {@code purpose} (as the operator's PKI issues them: serverAuth for agents, clientAuth for
   * the operator).
   */
  X509Certificate issueLeaf(
      String cn, KeyPair subject, Instant notBefore, Instant notAfter, KeyPurposeId purpose)
      throws Exception {
    var b =
        new JcaX509v3CertificateBuilder(
            new X500Name(ca.getSubjectX500Principal().getName()),
            new BigInteger(64, new SecureRandom()),
            Date.from(notBefore),
            Date.from(notAfter),
            new X500Name("CN=" + cn),
            subject.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  /** An HTTP client that trusts this CA and presents {@code cert} (with its {@code key}). */
  HttpClient clientPresenting(X509Certificate cert, KeyPair key) throws Exception {
    return httpClient(ca, cert, key);
  }

  static String pem(Object o) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }

  /** Writes ca.crt, tls.crt and tls.key (a server certificate for localhost) into {@code dir}. */
  void writeServerFiles(Path dir, String... sans) throws Exception {
    Files.createDirectories(dir);
    KeyPair k = keyPair();
    String[] all =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of("localhost", "127.0.0.1"), java.util.Arrays.stream(sans))
            .toArray(String[]::new);
    X509Certificate cert = issue("wiremesh-agent", k, all);
    Files.writeString(dir.resolve("ca.crt"), pem(ca));
    Files.writeString(dir.resolve("tls.crt"), pem(cert));
    Files.writeString(
        dir.resolve("tls.key"),
        pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k.getPrivate(), null)));
  }

  /**
   * An HTTP client that trusts {@code trusted}'s CA and presents a client certificate from this CA
   * (or none, when {@code withClientCert} is false).
   */
  HttpClient client(TestPki trusted, boolean withClientCert) throws Exception {
    if (!withClientCert) {
      return httpClient(trusted.ca, null, null);
    }
    KeyPair k = keyPair();
    return httpClient(trusted.ca, issue("wiremesh-operator", k), k);
  }

  /** Trusts {@code trustedCa}; presents {@code cert} signed by this CA, or nothing if null. */
  private HttpClient httpClient(X509Certificate trustedCa, X509Certificate cert, KeyPair key)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trustedCa);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (cert != null) {
      keys.setKeyEntry("client", key.getPrivate(), new char[0], new X509Certificate[] {cert, ca});
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(20)).build();
  }
}
