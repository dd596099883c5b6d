package dev.wiremesh.e2e.scenarios;

import dev.wiremesh.e2e.localmesh.Kubelet;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.MeshNode;
import dev.wiremesh.operator.pki.CertificateAuthority;
import dev.wiremesh.operator.pki.IssuedCertificate;
import dev.wiremesh.operator.pki.Pem;
import dev.wiremesh.operator.pki.PkiSecrets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** The local mesh's PKI as a test sees and changes it: its Secrets and what the agents serve. */
final class MeshCertificates {
  private MeshCertificates() {}

  /** The operator's CA, from its Secret. */
  static CertificateAuthority ca(LocalMesh mesh) {
    Map<String, String> data = plain(mesh, PkiSecrets.CA_SECRET);
    return new CertificateAuthority(
        new IssuedCertificate(
            Pem.certificate(data.get("ca.crt")), Pem.privateKey(data.get("ca.key"))));
  }

  /** The leaf certificate a PKI Secret holds now. */
  static X509Certificate leaf(LocalMesh mesh, String secret) {
    return Pem.certificate(plain(mesh, secret).get("tls.crt"));
  }

  /** Puts {@code leaf} in a PKI Secret in place of its certificate and key (its CA kept). */
  static void replaceLeaf(LocalMesh mesh, String secret, IssuedCertificate leaf) {
    var b64 = Base64.getEncoder();
    mesh.client()
        .secrets()
        .inNamespace(LocalMesh.NAMESPACE)
        .withName(secret)
        .edit(
            s -> {
              Map<String, String> data = new TreeMap<>(s.getData());
              data.put(
                  "tls.crt",
                  b64.encodeToString(
                      Pem.encode(leaf.certificate()).getBytes(StandardCharsets.UTF_8)));
              data.put(
                  "tls.key",
                  b64.encodeToString(Pem.encode(leaf.key()).getBytes(StandardCharsets.UTF_8)));
              s.setData(data);
              return s;
            });
  }

  /**
   * The CA's certificate issued anew with the CA's own key, name and serial, valid from {@code
   * notBefore} for {@code validity}: put in the CA Secret, it makes the CA look that old while
   * everything it issued still chains to it.
   */
  static X509Certificate recertified(CertificateAuthority ca, Instant notBefore, Duration validity)
      throws Exception {
    X509Certificate c = ca.certificate();
    var builder =
        new JcaX509v3CertificateBuilder(
                c.getSubjectX500Principal(),
                // The same serial: the leaves name it in their authority key identifier.
                c.getSerialNumber(),
                Date.from(notBefore),
                Date.from(notBefore.plus(validity)),
                c.getSubjectX500Principal(),
                c.getPublicKey())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                new JcaX509ExtensionUtils().createSubjectKeyIdentifier(c.getPublicKey()));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.ca().key())));
  }

  /** Puts {@code certificate} in the CA Secret in place of the CA's (its key kept). */
  static void replaceCaCertificate(LocalMesh mesh, X509Certificate certificate) {
    mesh.client()
        .secrets()
        .inNamespace(LocalMesh.NAMESPACE)
        .withName(PkiSecrets.CA_SECRET)
        .edit(
            s -> {
              Map<String, String> data = new TreeMap<>(s.getData());
              data.put(
                  "ca.crt",
                  Base64.getEncoder()
                      .encodeToString(Pem.encode(certificate).getBytes(StandardCharsets.UTF_8)));
              s.setData(data);
              return s;
            });
  }

  /** Whether {@code ca}'s key signed {@code cert}. */
  static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  private static Map<String, String> plain(LocalMesh mesh, String secret) {
    return KeyScan.plainData(
        mesh.client().secrets().inNamespace(LocalMesh.NAMESPACE).withName(secret).get());
  }

  /**
   * The certificate a node's agent serves on its API port right now, or null: a TLS handshake
   * without a client certificate shows it before the agent refuses the client.
   */
  static X509Certificate served(MeshNode n) throws Exception {
    X509Certificate[] seen = new X509Certificate[1];
    X509TrustManager capture =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] c, String a) {}

          @Override
          public void checkServerTrusted(X509Certificate[] c, String a) {
            seen[0] = c[0];
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, new TrustManager[] {capture}, null);
    try (var socket = (SSLSocket) ctx.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(n.address(), Kubelet.AGENT_PORT), 1000);
      socket.setSoTimeout(2000);
      socket.startHandshake();
      socket.getInputStream().read();
    } catch (IOException e) {
      // refused for want of a client certificate, after showing its own
    }
    return seen[0]; // null when the handshake did not get that far (the agent busy reloading)
  }
}
