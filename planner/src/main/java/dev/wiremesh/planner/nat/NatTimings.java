package dev.wiremesh.planner.nat;

import java.time.Duration;

/**
 * The bounded times of NAT traversal (docs/nat-traversal.md).
 *
 * @param keepalive the persistent keepalive of every tunnel with an end behind NAT: the mesh's when
 *     it sets one, else {@link #DEFAULT_KEEPALIVE}; keeps the NAT's mappings open and is what makes
 *     each end hear the other at least this often
 * @param attempt how long a new pair (or one whose direct path went silent) tries the direct path
 *     before it is relayed
 * @param lost how long a direct pair may go without either end hearing the other before its direct
 *     path counts as gone (two keepalives and a margin); then it tries for {@code attempt} more
 * @param settle how long a relayed pair's ends must keep hearing each other directly before the
 *     pair goes Direct again
 * @param maxAge a report older than this is not believed, and the longest the quiet direction of an
 *     idle pair may go unheard: only one end of an idle pair sends keepalives (a received packet
 *     resets the other's timer), so the other is heard at handshakes only, which the session's
 *     expiry (the whitepaper's Reject-After-Time, 180 s) forces at the next keepalive; plus one
 *     handshake retry (Rekey-Timeout, 5 s) and 5 s of margin
 */
public record NatTimings(
    int keepalive, Duration attempt, Duration lost, Duration settle, Duration maxAge) {

  public static final int DEFAULT_KEEPALIVE = 25;

  public static final Duration DEFAULT_ATTEMPT = Duration.ofSeconds(20);
  public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(15);

  /** The whitepaper's Reject-After-Time and Rekey-Timeout, in seconds. */
  private static final long REJECT_AFTER_TIME = 180;

  private static final long REKEY_TIMEOUT = 5;

  /** The default timings for a mesh whose spec sets {@code meshKeepalive} (0: none). */
  public static NatTimings forKeepalive(int meshKeepalive) {
    return of(meshKeepalive, DEFAULT_ATTEMPT, DEFAULT_SETTLE);
  }

  /**
   * The timings for a mesh whose spec sets {@code meshKeepalive} (0: none), with the operator's
   * attempt and settle times.
   */
  public static NatTimings of(int meshKeepalive, Duration attempt, Duration settle) {
    int k = meshKeepalive > 0 ? meshKeepalive : DEFAULT_KEEPALIVE;
    return new NatTimings(
        k,
        attempt,
        Duration.ofSeconds(2L * k + 5),
        settle,
        Duration.ofSeconds(REJECT_AFTER_TIME + k + REKEY_TIMEOUT + 5));
  }
}
