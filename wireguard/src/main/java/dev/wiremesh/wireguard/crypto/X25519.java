package dev.wiremesh.wireguard.crypto;

import java.util.Optional;

/**
 * DH(private, public) of the whitepaper: X25519 (RFC 7748) through BouncyCastle's constant-time
 * implementation, which JMH measured faster than the JDK's XDH here (see docs/performance.md).
 */
public final class X25519 {
  private X25519() {}

  /**
   * The shared secret, or empty when it is all zeros: the peer's public key is a low-order point,
   * and the handshake must be refused (whitepaper §5.4 and RFC 7748 §6.1).
   */
  public static Optional<byte[]> dh(NoisePrivateKey privateKey, NoisePublicKey publicKey) {
    return dh(privateKey.bytes, publicKey.bytes);
  }

  static Optional<byte[]> dh(byte[] privateKey, byte[] publicKey) {
    byte[] out = new byte[Key32.LENGTH];
    boolean nonZero =
        org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(
            privateKey, 0, publicKey, 0, out, 0);
    return nonZero ? Optional.of(out) : Optional.empty();
  }
}
