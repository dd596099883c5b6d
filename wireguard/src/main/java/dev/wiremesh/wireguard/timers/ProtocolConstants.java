package dev.wiremesh.wireguard.timers;

/**
 * The protocol's constants, named as the whitepaper (§6.1, "Timers &amp; Stateless Rekeying") names
 * them. Times are the standard values in nanoseconds; code that runs timers reads them through a
 * {@link ProtocolTiming} so that a test device can run faster.
 */
public final class ProtocolConstants {
  private ProtocolConstants() {}

  private static final long SECOND = 1_000_000_000L;

  /** After this many messages on a keypair the initiator starts a new handshake: 2^60. */
  public static final long REKEY_AFTER_MESSAGES = 1L << 60;

  /**
   * A keypair is never used for, or accepts, this many messages or more: 2^64 - 2^13 - 1, an
   * unsigned 64-bit value (negative as a Java {@code long}; compare with {@link
   * Long#compareUnsigned}).
   */
  public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;

  /** The initiator rekeys a keypair older than this when it sends: 120 s. */
  public static final long REKEY_AFTER_TIME = 120 * SECOND;

  /** A keypair older than this is not used at all: 180 s. */
  public static final long REJECT_AFTER_TIME = 180 * SECOND;

  /** Handshake retries stop after this long: 90 s. */
  public static final long REKEY_ATTEMPT_TIME = 90 * SECOND;

  /** An unanswered initiation is retried after this long (plus jitter): 5 s. */
  public static final long REKEY_TIMEOUT = 5 * SECOND;

  /** A keepalive answers received data after this long without anything sent: 10 s. */
  public static final long KEEPALIVE_TIMEOUT = 10 * SECOND;

  /**
   * Retries are spread by a random jitter of 0 to 333 ms, drawn as whole milliseconds below this
   * bound (wireguard-go's {@code RekeyTimeoutJitterMaxMs}).
   */
  public static final int REKEY_TIMEOUT_JITTER_MAX_MS = 334;

  /**
   * Retransmissions of an unanswered initiation before giving up: REKEY_ATTEMPT_TIME /
   * REKEY_TIMEOUT = 18, counted as wireguard-go counts them (the initial initiation plus 19 retries
   * are sent; the 20th expiry gives up).
   */
  public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT);
}
