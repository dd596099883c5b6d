package dev.wiremesh.wireguard.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * XAEAD(key, nonce, plaintext, ad) of the whitepaper: XChaCha20-Poly1305 with a 24-byte nonce, used
 * only for cookie replies. BouncyCastle's implementation.
 */
public final class XChaCha20Poly1305 {
  /** The nonce's length. */
  public static final int NONCE_LENGTH = 24;

  private XChaCha20Poly1305() {}

  /** Ciphertext followed by the 16-byte tag. */
  public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] ad) {
    var c = new org.bouncycastle.crypto.modes.XChaCha20Poly1305();
    c.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, ad));
    byte[] out = new byte[c.getOutputSize(plaintext.length)];
    int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
    try {
      c.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("XChaCha20-Poly1305 sealing failed", e);
    }
    return out;
  }

  /** The plaintext, or null if authentication failed. */
  public static byte[] open(byte[] key, byte[] nonce, byte[] ciphertext, byte[] ad) {
    if (ciphertext.length < ChaCha20Poly1305.TAG_LENGTH) {
      return null;
    }
    var c = new org.bouncycastle.crypto.modes.XChaCha20Poly1305();
    c.init(false, new AEADParameters(new KeyParameter(key), 128, nonce, ad));
    byte[] out = new byte[c.getOutputSize(ciphertext.length)];
    int n = c.processBytes(ciphertext, 0, ciphertext.length, out, 0);
    try {
      c.doFinal(out, n);
      return out;
    } catch (InvalidCipherTextException e) {
      return null;
    }
  }
}
