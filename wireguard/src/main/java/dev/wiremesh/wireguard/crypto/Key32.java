package dev.wiremesh.wireguard.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * 32 bytes of key material with the habits every WireGuard key shares: constant-time equality, a
 * {@code toString} that never prints the bytes, strict parsing from the base64 that {@code wg}
 * prints and the lowercase hex that the UAPI speaks, and zeroing on {@link #destroy()}.
 */
public abstract sealed class Key32 permits NoisePrivateKey, NoisePublicKey, PresharedKey {
  /** Every WireGuard key, public, private or preshared, is 32 bytes. */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();

  final byte[] bytes;

  Key32(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "a key is 32 bytes, got " + (bytes == null ? "none" : bytes.length + " bytes"));
    }
    this.bytes = bytes.clone();
  }

  /** A copy of the key's bytes; the caller owns it and should zero it when done. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Lowercase hex, as the cross-platform UAPI writes keys. */
  public String toHex() {
    return HEX.formatHex(bytes);
  }

  /** Standard base64 with padding (44 characters), as {@code wg} prints keys. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** True when every byte is zero, which WireGuard uses to mean "no key". Constant time. */
  public boolean isZero() {
    int acc = 0;
    for (byte b : bytes) {
      acc |= b;
    }
    return acc == 0;
  }

  /** Overwrites the key's bytes with zeros; the key is unusable afterwards. */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  static byte[] parseHex(String hex, String what) {
    if (hex == null || hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(what + " must be 64 hex characters");
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        throw new IllegalArgumentException(what + " must be 64 hex characters");
      }
    }
    return HEX.parseHex(hex);
  }

  static byte[] parseBase64(String base64, String what) {
    if (base64 == null || base64.length() != 44 || base64.charAt(43) != '=') {
      throw new IllegalArgumentException(what + " must be the base64 of 32 bytes (44 characters)");
    }
    try {
      byte[] decoded = Base64.getDecoder().decode(base64);
      if (decoded.length != LENGTH) {
        throw new IllegalArgumentException(
            what + " must be the base64 of 32 bytes (44 characters)");
      }
      return decoded;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          what + " must be the base64 of 32 bytes (44 characters)", null);
    }
  }

  @Override
  public final boolean equals(Object o) {
    return o != null
        && o.getClass() == getClass()
        && MessageDigest.isEqual(bytes, ((Key32) o).bytes);
  }

  @Override
  public final int hashCode() {
    // Keys are used as map keys (peers by public key); the hash of a public key reveals nothing.
    return Arrays.hashCode(bytes);
  }
}
