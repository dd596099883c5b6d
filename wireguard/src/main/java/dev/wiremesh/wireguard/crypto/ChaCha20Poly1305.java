package dev.wiremesh.wireguard.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AEAD(key, counter, plaintext, ad) of the whitepaper: ChaCha20-Poly1305 (RFC 8439) with a 96-bit
 * nonce of 32 zero bits followed by the 64-bit little-endian counter. Backed by the JDK's {@link
 * Cipher}, which HotSpot accelerates with intrinsics.
 *
 * <p>{@link Cipher} objects are not thread-safe and costly to create, so each thread keeps one and
 * re-initialises it per message with the message's key and nonce (the JDK refuses to encrypt twice
 * under one key and nonce, which is exactly the protocol's rule). Keys are {@link Key}s made once
 * per keypair.
 */
public final class ChaCha20Poly1305 {
  /** The authentication tag's length. */
  public static final int TAG_LENGTH = 16;

  /** The key's length. */
  public static final int KEY_LENGTH = 32;

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  private ChaCha20Poly1305() {}

  /** A ChaCha20-Poly1305 key, prepared once for the JDK and usable from any thread. */
  public static final class Key {
    private final SecretKeySpec spec;

    public Key(byte[] raw) {
      if (raw == null || raw.length != KEY_LENGTH) {
        throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes");
      }
      this.spec = new SecretKeySpec(raw, "ChaCha20");
    }

    @Override
    public String toString() {
      return "ChaCha20Poly1305.Key[redacted]";
    }
  }

  private static final class State {
    final Cipher cipher;
    final byte[] nonce = new byte[12];

    State() {
      try {
        cipher = Cipher.getInstance("ChaCha20-Poly1305");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK lacks ChaCha20-Poly1305", e);
      }
    }

    Cipher init(int mode, Key key, long counter) {
      // nonce = 0x00000000 ‖ little-endian 64-bit counter
      for (int i = 0; i < 8; i++) {
        nonce[4 + i] = (byte) (counter >>> (8 * i));
      }
      return init(mode, key, nonce);
    }

    Cipher init(int mode, Key key, byte[] nonce) {
      try {
        cipher.init(mode, key.spec, new IvParameterSpec(nonce));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot initialise ChaCha20-Poly1305", e);
      }
      return cipher;
    }
  }

  /**
   * Encrypts {@code in[inOff, inOff + len)} into {@code out} at {@code outOff}, followed by the
   * 16-byte tag; {@code in} and {@code out} may be the same array at the same offset.
   *
   * @return bytes written: {@code len + 16}
   */
  public static int seal(
      Key key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
    Cipher c = STATE.get().init(Cipher.ENCRYPT_MODE, key, counter);
    try {
      if (ad != null && ad.length > 0) {
        c.updateAAD(ad);
      }
      return c.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 sealing failed", e);
    }
  }

  /**
   * Decrypts and authenticates {@code in[inOff, inOff + len)} (ciphertext then tag) into {@code
   * out} at {@code outOff}; in place is allowed.
   *
   * @return the plaintext's length, or -1 if authentication failed (then {@code out} holds nothing
   *     usable)
   */
  public static int open(
      Key key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
    if (len < TAG_LENGTH) {
      return -1;
    }
    Cipher c = STATE.get().init(Cipher.DECRYPT_MODE, key, counter);
    try {
      if (ad != null && ad.length > 0) {
        c.updateAAD(ad);
      }
      return c.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      // AEADBadTagException and its kin: forged, corrupted or replayed under another key.
      return -1;
    }
  }

  /** RFC 8439's AEAD with an arbitrary 96-bit nonce: only for checking the published vectors. */
  static byte[] sealWithNonce(byte[] key, byte[] nonce, byte[] plaintext, byte[] ad) {
    Cipher c = STATE.get().init(Cipher.ENCRYPT_MODE, new Key(key), nonce.clone());
    try {
      c.updateAAD(ad);
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One-shot AEAD for handshakes: seals {@code plaintext} with {@code ad}. */
  public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] ad) {
    byte[] out = new byte[plaintext.length + TAG_LENGTH];
    seal(new Key(key), counter, plaintext, 0, plaintext.length, ad, out, 0);
    return out;
  }

  /** One-shot AEAD for handshakes: the plaintext, or null if authentication failed. */
  public static byte[] open(byte[] key, long counter, byte[] ciphertext, byte[] ad) {
    if (ciphertext.length < TAG_LENGTH) {
      return null;
    }
    byte[] out = new byte[ciphertext.length - TAG_LENGTH];
    int n = open(new Key(key), counter, ciphertext, 0, ciphertext.length, ad, out, 0);
    return n < 0 ? null : out;
  }
}
