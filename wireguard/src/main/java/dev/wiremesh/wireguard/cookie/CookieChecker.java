package dev.wiremesh.wireguard.cookie;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.Blake2s;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.XChaCha20Poly1305;
import dev.wiremesh.wireguard.noise.Noise;
import dev.wiremesh.wireguard.timers.Clock;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The receiving side of the cookie mechanism (whitepaper §5.4.7): checks MAC1 on every handshake
 * message, MAC2 when under load, and makes cookie replies. The cookie is MAC(R, source address ‖
 * port) with R a random secret replaced every two minutes. Thread-safe.
 */
public final class CookieChecker {
  /** How long a cookie secret lives (COOKIE_REFRESH_TIME, 120 s). */
  public static final long COOKIE_REFRESH_NANOS = 120_000_000_000L;

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final byte[] mac1Key;
  private final byte[] cookieKey;
  private final byte[] secret = new byte[32];
  private long secretSet;
  private boolean secretValid;

  /** For the device whose static public key is {@code local}. */
  public CookieChecker(NoisePublicKey local, Clock clock) {
    this.clock = clock;
    byte[] pub = local.toBytes();
    // mac1 key = HASH(LABEL_MAC1 ‖ S_pub); cookie key = HASH(LABEL_COOKIE ‖ S_pub)
    this.mac1Key = Blake2s.hash(Noise.LABEL_MAC1, pub);
    this.cookieKey = Blake2s.hash(Noise.LABEL_COOKIE, pub);
  }

  /**
   * True when {@code msg}'s MAC1 is right for us: a message with a bad MAC1 is dropped silently.
   */
  public boolean checkMac1(byte[] msg, int len) {
    int type = type(msg, len);
    int off = mac1Offset(type);
    if (off < 0) {
      return false;
    }
    byte[] mac1 = Blake2s.mac(mac1Key, msg, 0, off);
    return MessageDigest.isEqual(mac1, Arrays.copyOfRange(msg, off, off + 16));
  }

  /** True when {@code msg}'s MAC2 matches the cookie {@code source} currently holds. */
  public synchronized boolean checkMac2(byte[] msg, int len, InetSocketAddress source) {
    int type = type(msg, len);
    int off = mac1Offset(type);
    if (off < 0 || !secretValid || clock.nanoTime() - secretSet > COOKIE_REFRESH_NANOS) {
      return false;
    }
    byte[] cookie = Blake2s.mac(secret, sourceBytes(source));
    byte[] mac2 = Blake2s.mac(cookie, msg, 0, off + 16);
    return MessageDigest.isEqual(mac2, Arrays.copyOfRange(msg, off + 16, off + 32));
  }

  /**
   * A cookie reply (64 bytes) to {@code msg}, a handshake message from {@code source} whose sender
   * index it echoes. The cookie is encrypted with the MAC1 of {@code msg} as associated data, so
   * only the sender of that very message can use it.
   */
  public byte[] createReply(byte[] msg, int len, InetSocketAddress source) {
    int type = type(msg, len);
    int off = mac1Offset(type);
    if (off < 0) {
      throw new IllegalArgumentException("a cookie reply answers an initiation or a response");
    }
    byte[] cookie;
    synchronized (this) {
      long now = clock.nanoTime();
      if (!secretValid || now - secretSet > COOKIE_REFRESH_NANOS) {
        random.nextBytes(secret);
        secretSet = now;
        secretValid = true;
      }
      cookie = Blake2s.mac(secret, sourceBytes(source));
    }
    byte[] reply = new byte[MESSAGE_COOKIE_REPLY_SIZE];
    putInt(reply, 0, MESSAGE_COOKIE_REPLY_TYPE);
    // The receiver of the reply is the sender of the message (both sit at offset 4).
    System.arraycopy(msg, 4, reply, COOKIE_RECEIVER, 4);
    byte[] nonce = new byte[XChaCha20Poly1305.NONCE_LENGTH];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, reply, COOKIE_NONCE, nonce.length);
    // msg.cookie = XAEAD(HASH(LABEL_COOKIE ‖ S_pub), nonce, cookie, mac1)
    byte[] enc =
        XChaCha20Poly1305.seal(cookieKey, nonce, cookie, Arrays.copyOfRange(msg, off, off + 16));
    System.arraycopy(enc, 0, reply, COOKIE_COOKIE, enc.length);
    return reply;
  }

  /**
   * The bytes the cookie covers: the address (4 bytes for IPv4, 16 for IPv6) then the port,
   * little-endian, as wireguard-go's endpoints marshal themselves.
   */
  static byte[] sourceBytes(InetSocketAddress source) {
    byte[] ip = source.getAddress().getAddress();
    byte[] out = Arrays.copyOf(ip, ip.length + 2);
    out[ip.length] = (byte) source.getPort();
    out[ip.length + 1] = (byte) (source.getPort() >>> 8);
    return out;
  }
}
