package dev.wiremesh.wireguard.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The BLAKE2s constructions of the whitepaper (§5.4), over BouncyCastle's {@link Blake2sDigest}:
 * HASH (32-byte digest), MAC (keyed, 16-byte digest), HMAC and the KDF built on it.
 */
public final class Blake2s {
  /** HASH's output length. */
  public static final int HASH_LENGTH = 32;

  /** MAC's output length. */
  public static final int MAC_LENGTH = 16;

  private Blake2s() {}

  /** HASH(parts[0] ‖ parts[1] ‖ ...): unkeyed BLAKE2s-256. */
  public static byte[] hash(byte[]... parts) {
    Blake2sDigest d = new Blake2sDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[HASH_LENGTH];
    d.doFinal(out, 0);
    return out;
  }

  /** MAC(key, input): keyed BLAKE2s with a 16-byte digest, over {@code input[off, off + len)}. */
  public static byte[] mac(byte[] key, byte[] input, int off, int len) {
    return keyedHash(key, MAC_LENGTH, input, off, len);
  }

  /**
   * Keyed BLAKE2s with a digest of {@code digestLength} bytes (1-32; the length is a parameter).
   */
  public static byte[] keyedHash(byte[] key, int digestLength, byte[] input, int off, int len) {
    Blake2sDigest d = new Blake2sDigest(key, digestLength, null, null);
    d.update(input, off, len);
    byte[] out = new byte[digestLength];
    d.doFinal(out, 0);
    return out;
  }

  /** MAC(key, input) over the whole of {@code input}. */
  public static byte[] mac(byte[] key, byte[] input) {
    return mac(key, input, 0, input.length);
  }

  /** HMAC(key, parts...): RFC 2104 over BLAKE2s-256 (block size 64). */
  public static byte[] hmac(byte[] key, byte[]... parts) {
    HMac h = new HMac(new Blake2sDigest(256));
    h.init(new KeyParameter(key));
    for (byte[] p : parts) {
      h.update(p, 0, p.length);
    }
    byte[] out = new byte[HASH_LENGTH];
    h.doFinal(out, 0);
    return out;
  }

  /**
   * KDFn(key, input) for n = 1, 2 or 3: τ0 = HMAC(key, input), τ1 = HMAC(τ0, 0x1), τi = HMAC(τ0,
   * τ(i-1) ‖ i). Returns τ1..τn; τ0 is zeroed.
   */
  public static byte[][] kdf(int n, byte[] key, byte[] input) {
    if (n < 1 || n > 3) {
      throw new IllegalArgumentException("KDF yields 1 to 3 keys, asked for " + n);
    }
    byte[] t0 = hmac(key, input);
    try {
      byte[][] out = new byte[n][];
      // τ1 = HMAC(τ0, 0x1)
      out[0] = hmac(t0, new byte[] {1});
      for (int i = 1; i < n; i++) {
        // τi = HMAC(τ0, τ(i-1) ‖ i)
        out[i] = hmac(t0, out[i - 1], new byte[] {(byte) (i + 1)});
      }
      return out;
    } finally {
      java.util.Arrays.fill(t0, (byte) 0);
    }
  }
}
