package dev.wiremesh.wireguard.crypto;

import java.security.SecureRandom;

/**
 * The optional symmetric key mixed into a handshake (Q in the whitepaper); all zeros means none.
 */
public final class PresharedKey extends Key32 {
  public PresharedKey(byte[] bytes) {
    super(bytes);
  }

  /** The all-zero key that stands for "no preshared key". */
  public static PresharedKey none() {
    return new PresharedKey(new byte[LENGTH]);
  }

  public static PresharedKey generate(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new PresharedKey(b);
  }

  public static PresharedKey fromHex(String hex) {
    return new PresharedKey(parseHex(hex, "preshared key"));
  }

  public static PresharedKey fromBase64(String base64) {
    return new PresharedKey(parseBase64(base64, "preshared key"));
  }

  @Override
  public String toString() {
    return isZero() ? "PresharedKey[none]" : "PresharedKey[redacted]";
  }
}
