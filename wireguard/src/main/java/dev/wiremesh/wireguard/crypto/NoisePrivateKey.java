package dev.wiremesh.wireguard.crypto;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 private key, clamped as RFC 7748 section 5 requires. Never printed: {@code toString} is
 * redacted so a key cannot reach a log line or an exception message by accident.
 */
public final class NoisePrivateKey extends Key32 {
  public NoisePrivateKey(byte[] bytes) {
    super(clamp(bytes));
  }

  public static NoisePrivateKey generate(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    try {
      return new NoisePrivateKey(b);
    } finally {
      java.util.Arrays.fill(b, (byte) 0);
    }
  }

  public static NoisePrivateKey fromHex(String hex) {
    return new NoisePrivateKey(parseHex(hex, "private key"));
  }

  public static NoisePrivateKey fromBase64(String base64) {
    return new NoisePrivateKey(parseBase64(base64, "private key"));
  }

  /** The matching public key: X25519(this, 9). */
  public NoisePublicKey publicKey() {
    byte[] pub = new byte[LENGTH];
    X25519.generatePublicKey(bytes, 0, pub, 0);
    return new NoisePublicKey(pub);
  }

  private static byte[] clamp(byte[] in) {
    if (in == null || in.length != LENGTH) {
      return in; // Key32's constructor reports the length error
    }
    byte[] k = in.clone();
    k[0] &= (byte) 248;
    k[31] = (byte) ((k[31] & 127) | 64);
    return k;
  }

  @Override
  public String toString() {
    return "NoisePrivateKey[redacted]";
  }
}
