package dev.wiremesh.operator.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A certificate and its private key. {@link #toString()} never shows the key. */
public record IssuedCertificate(X509Certificate certificate, PrivateKey key) {

  @Override
  public String toString() {
    return "IssuedCertificate[" + certificate.getSubjectX500Principal() + ", key=<redacted>]";
  }
}
