package dev.wiremesh.wireguard.antireplay;

import static dev.wiremesh.wireguard.message.Messages.INIT_EPHEMERAL;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ephemeral public keys of the last {@value #CAPACITY} handshake initiations this device
 * accepted. An initiator makes a fresh ephemeral key for every initiation it sends, retries
 * included (whitepaper §5.4.2), so an initiation whose ephemeral key is here is a replay: someone
 * captured it and sends it again. Without this table each replay costs the responder a
 * Diffie-Hellman (its MAC1 is valid, and the static key decrypts to a peer it knows) before the
 * timestamp check refuses it; with it, a replay costs one lookup on the receiving thread and never
 * enters the handshake queue.
 *
 * <p>Only initiations that authenticated and were accepted are recorded (nobody can add an entry
 * without a peer's private key), so an attacker cannot make a peer's next initiation look like a
 * replay. The oldest entry is forgotten first; a replay of an initiation older than the table goes
 * the usual way (MAC1, cookies under load, rate limiter, then the timestamp check).
 *
 * <p>Thread-safety: all methods are {@code synchronized}; the receiving thread asks, the handshake
 * thread records.
 */
public final class KnownInitiations {
  /** How many accepted initiations are remembered (with one peer per second, over an hour). */
  public static final int CAPACITY = 4096;

  private static final int EPHEMERAL_LENGTH = 32;

  private final Map<ByteBuffer, Boolean> accepted =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
          return size() > CAPACITY;
        }
      };

  /** Records the initiation in {@code msg} (a whole, accepted initiation message). */
  public synchronized void accepted(byte[] msg) {
    byte[] key = new byte[EPHEMERAL_LENGTH];
    System.arraycopy(msg, INIT_EPHEMERAL, key, 0, EPHEMERAL_LENGTH);
    accepted.put(ByteBuffer.wrap(key), Boolean.TRUE);
  }

  /**
   * True if the initiation in {@code buf} (at least {@code INIT_EPHEMERAL + 32} bytes; the type and
   * length already checked) carries the ephemeral key of an initiation accepted before.
   */
  public synchronized boolean isReplay(byte[] buf) {
    return !accepted.isEmpty()
        && accepted.containsKey(ByteBuffer.wrap(buf, INIT_EPHEMERAL, EPHEMERAL_LENGTH));
  }

  /** How many initiations are remembered. */
  public synchronized int size() {
    return accepted.size();
  }
}
