package dev.wiremesh.wireguard.noise;

import dev.wiremesh.wireguard.crypto.Blake2s;
import java.nio.charset.StandardCharsets;

/**
 * The protocol's fixed strings and the chaining key and hash every handshake starts from (§5.4).
 */
public final class Noise {
  private Noise() {}

  public static final byte[] CONSTRUCTION =
      "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] IDENTIFIER =
      "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

  // C = HASH(CONSTRUCTION)
  private static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(CONSTRUCTION);
  // H = HASH(C ‖ IDENTIFIER)
  private static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, IDENTIFIER);

  static byte[] initialChainKey() {
    return INITIAL_CHAIN_KEY.clone();
  }

  static byte[] initialHash() {
    return INITIAL_HASH.clone();
  }
}
