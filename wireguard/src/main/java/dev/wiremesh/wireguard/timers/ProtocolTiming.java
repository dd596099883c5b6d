package dev.wiremesh.wireguard.timers;

/**
 * The protocol's time constants as one device runs them: {@link #standard()} for production, or
 * {@link #scaled(double)} so that a test device rekeys, retries and expires in a fraction of the
 * real time (the interop tests rekey with {@code scaled(0.05)}). Every time-based decision of the
 * device reads its durations here, never from {@link ProtocolConstants} directly; message-count
 * limits are not scaled.
 *
 * @param scale factor applied to every duration; 1.0 is the whitepaper's timing, 0.1 runs ten times
 *     faster
 */
public record ProtocolTiming(double scale) {
  private static final ProtocolTiming STANDARD = new ProtocolTiming(1.0);

  public ProtocolTiming {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException(
          "scale must be a finite number greater than 0 (1.0 is standard timing), got " + scale);
    }
  }

  /** The whitepaper's timing. */
  public static ProtocolTiming standard() {
    return STANDARD;
  }

  /** Every duration multiplied by {@code scale}; below 1 runs faster. */
  public static ProtocolTiming scaled(double scale) {
    return new ProtocolTiming(scale);
  }

  private long apply(long nanos) {
    return scale == 1.0 ? nanos : Math.max(1, Math.round(nanos * scale));
  }

  public long rekeyAfterTimeNanos() {
    return apply(ProtocolConstants.REKEY_AFTER_TIME);
  }

  public long rejectAfterTimeNanos() {
    return apply(ProtocolConstants.REJECT_AFTER_TIME);
  }

  public long rekeyAttemptTimeNanos() {
    return apply(ProtocolConstants.REKEY_ATTEMPT_TIME);
  }

  public long rekeyTimeoutNanos() {
    return apply(ProtocolConstants.REKEY_TIMEOUT);
  }

  public long keepaliveTimeoutNanos() {
    return apply(ProtocolConstants.KEEPALIVE_TIMEOUT);
  }

  /** A jitter of {@code millis} whole milliseconds (0 to 333), scaled. */
  public long jitterNanos(int millis) {
    return millis == 0 ? 0 : apply(millis * 1_000_000L);
  }

  /** A persistent keepalive interval configured in seconds, scaled. */
  public long persistentKeepaliveNanos(int seconds) {
    return apply(seconds * 1_000_000_000L);
  }
}
