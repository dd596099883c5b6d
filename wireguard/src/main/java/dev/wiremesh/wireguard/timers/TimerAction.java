package dev.wiremesh.wireguard.timers;

/**
 * What an expired peer timer asks the peer's driver to do; returned by {@link PeerTimers#expire}.
 * The driver performs each action and reports what it then sends through the timer events (for
 * example {@link PeerTimers#handshakeInitiated} once the initiation is on the wire).
 */
public sealed interface TimerAction {

  /** Send a keepalive (an empty transport message) to answer data received. */
  record SendKeepalive() implements TimerAction {}

  /**
   * Send a handshake initiation. The driver should also forget the endpoint's cached local source
   * address, in case it is why no answer came.
   *
   * @param isRetry true when retransmitting an unanswered initiation, false for a new handshake
   *     because nothing was heard back after sending data
   * @param attempt the number of this initiation in its series: 1 for a new handshake, 2 and up for
   *     retries
   */
  record InitiateHandshake(boolean isRetry, int attempt) implements TimerAction {}

  /**
   * The handshake did not complete after {@code attempts} initiations: drop the packets queued for
   * the peer and stop retrying until new data asks for a handshake.
   */
  record HandshakeGaveUp(int attempts) implements TimerAction {}

  /** No new session for 3 × REJECT_AFTER_TIME: zero every keypair and handshake of the peer. */
  record ZeroKeyMaterial() implements TimerAction {}

  /** The persistent-keepalive interval passed without anything sent: send a keepalive. */
  record SendPersistentKeepalive() implements TimerAction {}
}
