package dev.wiremesh.wireguard.crypto;

/** An X25519 public key: a peer's identity. Safe to print (base64), compared in constant time. */
public final class NoisePublicKey extends Key32 {
  public NoisePublicKey(byte[] bytes) {
    super(bytes);
  }

  /** Parses lowercase or uppercase hex (the UAPI form). */
  public static NoisePublicKey fromHex(String hex) {
    return new NoisePublicKey(parseHex(hex, "public key"));
  }

  /** Parses base64 (the form {@code wg} and wg-quick use). */
  public static NoisePublicKey fromBase64(String base64) {
    return new NoisePublicKey(parseBase64(base64, "public key"));
  }

  @Override
  public String toString() {
    return toBase64();
  }
}
