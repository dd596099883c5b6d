package dev.wiremesh.operator.pki;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS contexts for the agent protocol. The client trusts only the mesh CA and accepts a server only
 * when its certificate carries {@link CertificateAuthority#AGENT_SERVER_NAME} — agents are
 * addressed by node IP, which their certificate cannot name, so the role name stands in for host
 * name checks.
 */
public final class AgentTls {

  private static final char[] NO_PASSWORD = new char[0];

  private AgentTls() {}

  /** The operator's client context: presents {@code client}, trusts agents issued by {@code ca}. */
  public static SSLContext clientContext(X509Certificate ca, IssuedCertificate client) {
    return context(client, List.of(ca), true);
  }

  /**
   * The operator's client context: presents {@code client}, trusts agents issued by any of {@code
   * cas} (a CA and the one it replaces, while a renewed CA is rolled out).
   */
  public static SSLContext clientContext(List<X509Certificate> cas, IssuedCertificate client) {
    return context(client, cas, true);
  }

  /**
   * A server context presenting {@code server} and requiring client certificates that chain to
   * {@code ca} (what the agent does; the operator's tests use it for fake agents).
   */
  public static SSLContext serverContext(X509Certificate ca, IssuedCertificate server) {
    return context(server, List.of(ca), false);
  }

  /** A server context requiring client certificates that chain to any of {@code cas}. */
  public static SSLContext serverContext(List<X509Certificate> cas, IssuedCertificate server) {
    return context(server, cas, false);
  }

  private static SSLContext context(
      IssuedCertificate own, List<X509Certificate> cas, boolean client) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("own", own.key(), NO_PASSWORD, new X509Certificate[] {own.certificate()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, NO_PASSWORD);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      X509TrustManager pkix = (X509TrustManager) tmf.getTrustManagers()[0];

      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      TrustManager tm = client ? new AgentNameTrustManager(pkix) : pkix;
      ctx.init(kmf.getKeyManagers(), new TrustManager[] {tm}, null);
      return ctx;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build TLS context", e);
    }
  }

  /** Chain to the CA (PKIX), then the agent's role name in place of host name verification. */
  private static final class AgentNameTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager pkix;

    AgentNameTrustManager(X509TrustManager pkix) {
      this.pkix = pkix;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      pkix.checkServerTrusted(chain, authType);
      if (!hasDnsName(chain[0], CertificateAuthority.AGENT_SERVER_NAME)) {
        throw new CertificateException(
            "agent certificate lacks the DNS name " + CertificateAuthority.AGENT_SERVER_NAME);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("the operator's client context serves no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return pkix.getAcceptedIssuers();
    }
  }

  static boolean hasDnsName(X509Certificate cert, String name) {
    try {
      var names = cert.getSubjectAlternativeNames();
      if (names == null) {
        return false;
      }
      for (List<?> entry : names) {
        if (Integer.valueOf(2).equals(entry.get(0))
            && name.equalsIgnoreCase((String) entry.get(1))) {
          return true;
        }
      }
      return false;
    } catch (CertificateParsingException e) {
      return false;
    }
  }
}
