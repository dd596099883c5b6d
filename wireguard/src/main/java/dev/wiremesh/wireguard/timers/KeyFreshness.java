package dev.wiremesh.wireguard.timers;

import static dev.wiremesh.wireguard.timers.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static dev.wiremesh.wireguard.timers.ProtocolConstants.REKEY_AFTER_MESSAGES;

/**
 * The timer rules that depend on a keypair's age and message count rather than on a timer, as pure
 * predicates the per-peer send and receive paths call with the current keypair's facts (whitepaper
 * §6.2; wireguard-go's {@code keepKeyFreshSending} and {@code keepKeyFreshReceiving}). Ages are
 * {@code now - createdAt} on the monotonic clock; counters are unsigned.
 */
public final class KeyFreshness {
  private KeyFreshness() {}

  /**
   * Whether sending on the current keypair should start a new handshake: past REKEY_AFTER_MESSAGES
   * messages (either side), or, for the initiator, older than REKEY_AFTER_TIME.
   *
   * @param sendCounter the keypair's next send counter
   */
  public static boolean needsRekeyOnSend(
      ProtocolTiming timing, long createdAt, boolean isInitiator, long sendCounter, long now) {
    return Long.compareUnsigned(sendCounter, REKEY_AFTER_MESSAGES) > 0
        || (isInitiator && now - createdAt > timing.rekeyAfterTimeNanos());
  }

  /**
   * Whether receiving data on the current keypair should start a new handshake: the initiator's
   * keypair is older than REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT, so that a new one
   * is ready before this one expires even if the peer sends nothing. The caller starts at most one
   * such handshake per session ({@link PeerTimers#sentLastMinuteHandshake()}).
   */
  public static boolean needsRekeyOnReceive(
      ProtocolTiming timing, long createdAt, boolean isInitiator, long now) {
    long limit =
        timing.rejectAfterTimeNanos() - timing.keepaliveTimeoutNanos() - timing.rekeyTimeoutNanos();
    return isInitiator && now - createdAt > limit;
  }

  /**
   * Whether a keypair may still encrypt: fewer than REJECT_AFTER_MESSAGES messages sent and younger
   * than REJECT_AFTER_TIME.
   */
  public static boolean usableForSending(
      ProtocolTiming timing, long createdAt, long sendCounter, long now) {
    return Long.compareUnsigned(sendCounter, REJECT_AFTER_MESSAGES) < 0
        && now - createdAt < timing.rejectAfterTimeNanos();
  }

  /** Whether a keypair may still decrypt: not older than REJECT_AFTER_TIME. */
  public static boolean usableForReceiving(ProtocolTiming timing, long createdAt, long now) {
    return now - createdAt <= timing.rejectAfterTimeNanos();
  }
}
