package dev.wiremesh.validation;

import java.math.BigInteger;
import java.net.InetAddress;

/**
 * A value of Kubernetes' CEL type {@code net.CIDR} ({@code cidr('10.0.0.0/8')}), with the methods
 * our CRDs call, as k8s.io/apiserver/pkg/cel/library/cidr.go documents them: {@code containsCIDR}
 * (the other network lies inside this one: same family, a prefix at least as long, and the same
 * network once masked to this one's prefix) and {@code prefixLength}.
 *
 * @param address the address as written (host bits may be set, as netip.ParsePrefix allows)
 * @param prefix the prefix length
 */
record CelCidr(InetAddress address, int prefix) {

  /** Parses what Kubernetes' {@code cidr(string)} accepts; anything else is an evaluation error. */
  static CelCidr parse(String s) {
    if (!KubernetesCel.isCidr(s)) {
      throw new IllegalArgumentException("network address parse error: " + s);
    }
    int slash = s.indexOf('/');
    return new CelCidr(
        InetAddress.ofLiteral(s.substring(0, slash)), Integer.parseInt(s.substring(slash + 1)));
  }

  boolean containsCidr(CelCidr other) {
    return bits() == other.bits()
        && prefix <= other.prefix
        && masked(address, prefix).equals(masked(other.address, prefix));
  }

  long prefixLength() {
    return prefix;
  }

  private int bits() {
    return address.getAddress().length * 8;
  }

  private static BigInteger masked(InetAddress a, int prefix) {
    int bits = a.getAddress().length * 8;
    return new BigInteger(1, a.getAddress()).shiftRight(bits - prefix);
  }
}
