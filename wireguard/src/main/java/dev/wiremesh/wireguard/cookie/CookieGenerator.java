package dev.wiremesh.wireguard.cookie;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.Blake2s;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.XChaCha20Poly1305;
import dev.wiremesh.wireguard.noise.Noise;
import dev.wiremesh.wireguard.timers.Clock;
import java.util.Arrays;

/**
 * The sending side of the cookie mechanism, one per peer: writes MAC1 (and MAC2 while a cookie
 * younger than two minutes is held) into every handshake message we send to the peer, and takes the
 * cookie out of a cookie reply to the last message we sent. A cookie reply never changes the peer's
 * endpoint: that is the caller's rule, and nothing here knows endpoints. Thread-safe.
 */
public final class CookieGenerator {
  private final Clock clock;
  private byte[] mac1Key;
  private byte[] cookieKey;
  private byte[] lastMac1;
  private byte[] cookie;
  private long cookieSet;

  /** For messages to the peer whose static public key is {@code remote}. */
  public CookieGenerator(NoisePublicKey remote, Clock clock) {
    this.clock = clock;
    byte[] pub = remote.toBytes();
    this.mac1Key = Blake2s.hash(Noise.LABEL_MAC1, pub);
    this.cookieKey = Blake2s.hash(Noise.LABEL_COOKIE, pub);
  }

  /**
   * The peer rotated its static key: MACs are computed over {@code next} from now on, and a cookie
   * or a pending reply under the old key is forgotten.
   */
  public synchronized void rekey(NoisePublicKey next) {
    byte[] pub = next.toBytes();
    mac1Key = Blake2s.hash(Noise.LABEL_MAC1, pub);
    cookieKey = Blake2s.hash(Noise.LABEL_COOKIE, pub);
    lastMac1 = null;
    cookie = null;
  }

  /** Fills in MAC1 and MAC2 of a handshake message we are about to send. */
  public synchronized void addMacs(byte[] msg) {
    int off = mac1Offset(type(msg, msg.length));
    if (off < 0) {
      throw new IllegalArgumentException("MACs go on initiations and responses");
    }
    // msg.mac1 = MAC(HASH(LABEL_MAC1 ‖ S_r.pub), msg[..mac1])
    byte[] mac1 = Blake2s.mac(mac1Key, msg, 0, off);
    System.arraycopy(mac1, 0, msg, off, 16);
    lastMac1 = mac1;
    if (cookie == null || clock.nanoTime() - cookieSet > CookieChecker.COOKIE_REFRESH_NANOS) {
      Arrays.fill(msg, off + 16, off + 32, (byte) 0);
      return;
    }
    // msg.mac2 = MAC(cookie, msg[..mac2])
    byte[] mac2 = Blake2s.mac(cookie, msg, 0, off + 16);
    System.arraycopy(mac2, 0, msg, off + 16, 16);
  }

  /**
   * Takes the cookie from a 64-byte cookie reply that answers the last message we sent.
   *
   * @return false (and nothing changes) if it does not decrypt under that message's MAC1
   */
  public synchronized boolean consumeReply(byte[] reply) {
    if (lastMac1 == null || type(reply, reply.length) != MESSAGE_COOKIE_REPLY_TYPE) {
      return false;
    }
    byte[] nonce = Arrays.copyOfRange(reply, COOKIE_NONCE, COOKIE_NONCE + 24);
    byte[] enc = Arrays.copyOfRange(reply, COOKIE_COOKIE, COOKIE_COOKIE + 32);
    byte[] c = XChaCha20Poly1305.open(cookieKey, nonce, enc, lastMac1);
    if (c == null) {
      return false;
    }
    cookie = c;
    cookieSet = clock.nanoTime();
    lastMac1 = null;
    return true;
  }

  /** True while a cookie younger than two minutes is held. */
  public synchronized boolean hasCookie() {
    return cookie != null && clock.nanoTime() - cookieSet <= CookieChecker.COOKIE_REFRESH_NANOS;
  }
}
