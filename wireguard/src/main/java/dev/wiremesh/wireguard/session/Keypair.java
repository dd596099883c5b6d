package dev.wiremesh.wireguard.session;

import dev.wiremesh.wireguard.crypto.ChaCha20Poly1305;
import dev.wiremesh.wireguard.timers.ProtocolConstants;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One session's transport keys (whitepaper §5.4.5): the send and receive keys derived at the end of
 * a handshake, the send counter, the receive replay filter, and the indices that name the session
 * on the wire. Usable from any thread: the counter is atomic, the cipher state is per thread.
 */
public final class Keypair {
  private final ChaCha20Poly1305.Key sendKey;
  private final ChaCha20Poly1305.Key receiveKey;
  private final AtomicLong sendNonce = new AtomicLong();
  private final ReplayFilter replayFilter = new ReplayFilter();
  private final long createdNanos;
  private final boolean isInitiator;
  private final int localIndex;
  private final int remoteIndex;
  private volatile boolean expired;

  public Keypair(
      byte[] sendKey,
      byte[] receiveKey,
      boolean isInitiator,
      int localIndex,
      int remoteIndex,
      long createdNanos) {
    this.sendKey = new ChaCha20Poly1305.Key(sendKey);
    this.receiveKey = new ChaCha20Poly1305.Key(receiveKey);
    this.isInitiator = isInitiator;
    this.localIndex = localIndex;
    this.remoteIndex = remoteIndex;
    this.createdNanos = createdNanos;
  }

  /**
   * Takes the next send counter, or -1 when the keypair may not send any more
   * (REJECT_AFTER_MESSAGES reached, or expired).
   */
  public long nextSendCounter() {
    if (expired) {
      return -1;
    }
    long n = sendNonce.getAndIncrement();
    if (Long.compareUnsigned(n, ProtocolConstants.REJECT_AFTER_MESSAGES) >= 0) {
      sendNonce.set(ProtocolConstants.REJECT_AFTER_MESSAGES);
      return -1;
    }
    return n;
  }

  /** The counter the next message would get (for the rekey decision). */
  public long sendCount() {
    return sendNonce.get();
  }

  /** Seals a transport payload in place; see {@link ChaCha20Poly1305#seal}. */
  public int seal(long counter, byte[] buf, int off, int len, byte[] out, int outOff) {
    return ChaCha20Poly1305.seal(sendKey, counter, buf, off, len, null, out, outOff);
  }

  /**
   * Opens a transport payload in place. The replay check is separate ({@link #validateCounter}),
   * made only after the payload authenticated, so a forgery cannot move the window.
   *
   * @return the plaintext's length, or -1 if it did not authenticate
   */
  public int open(long counter, byte[] buf, int off, int len, byte[] out, int outOff) {
    if (expired) {
      return -1;
    }
    return ChaCha20Poly1305.open(receiveKey, counter, buf, off, len, null, out, outOff);
  }

  /** Whether a counter not yet authenticated could be fresh (ReplayFilter#mayAccept). */
  public boolean mayAccept(long counter) {
    return replayFilter.mayAccept(counter, ProtocolConstants.REJECT_AFTER_MESSAGES);
  }

  /** The replay check for an authenticated counter: true the first time a counter is seen. */
  public boolean validateCounter(long counter) {
    return replayFilter.validateCounter(counter, ProtocolConstants.REJECT_AFTER_MESSAGES);
  }

  public long createdNanos() {
    return createdNanos;
  }

  public boolean isInitiator() {
    return isInitiator;
  }

  public int localIndex() {
    return localIndex;
  }

  public int remoteIndex() {
    return remoteIndex;
  }

  /** Makes the keypair unusable for sending and receiving. */
  public void expire() {
    expired = true;
  }

  public boolean isExpired() {
    return expired;
  }

  @Override
  public String toString() {
    return "Keypair[local=" + Integer.toUnsignedString(localIndex) + "]";
  }
}
