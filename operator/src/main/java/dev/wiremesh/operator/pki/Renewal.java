package dev.wiremesh.operator.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * When to renew: once less than a third of a certificate's lifetime remains (so a 90-day
 * certificate is renewed 30 days before it expires, leaving time for the agents to reload it), or
 * when it is not valid now at all.
 */
public final class Renewal {

  private Renewal() {}

  public static boolean isDue(X509Certificate certificate, Instant now) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isBefore(notBefore) || !now.isBefore(notAfter)) {
      return true;
    }
    Duration lifetime = Duration.between(notBefore, notAfter);
    return Duration.between(now, notAfter).compareTo(lifetime.dividedBy(3)) < 0;
  }
}
