package dev.wiremesh.wireguard.timers;

import static dev.wiremesh.wireguard.timers.ProtocolConstants.MAX_TIMER_HANDSHAKES;
import static dev.wiremesh.wireguard.timers.ProtocolConstants.REKEY_TIMEOUT_JITTER_MAX_MS;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;

/**
 * One peer's timers (whitepaper §6) as a state machine without threads or I/O, with the semantics
 * of wireguard-go's {@code timers.go}: the peer's send and receive paths report events (named after
 * its {@code timers*} hooks), a driver asks {@link #nextDeadline()} when to wake up and then calls
 * {@link #poll()}, which returns what the expired timers ask for.
 *
 * <p>Five timers, each pending or not, each with one deadline:
 *
 * <ul>
 *   <li><b>retransmit handshake</b>, armed REKEY_TIMEOUT + jitter after an initiation is sent,
 *       cancelled when the handshake completes: retries up to {@link
 *       ProtocolConstants#MAX_TIMER_HANDSHAKES} times, then gives up;
 *   <li><b>send keepalive</b>, armed KEEPALIVE_TIMEOUT after data is received unless already
 *       pending, cancelled by any authenticated packet sent;
 *   <li><b>new handshake</b>, armed KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter after data is sent
 *       unless already pending, cancelled by any authenticated packet received;
 *   <li><b>zero key material</b>, armed 3 × REJECT_AFTER_TIME after every new session;
 *   <li><b>persistent keepalive</b>, re-armed by every authenticated packet sent or received while
 *       an interval is set.
 * </ul>
 *
 * <p>Jitter is 0-333 whole milliseconds from the injected random source. All durations come from
 * the {@link ProtocolTiming}. The driver calls events only while the peer and its device are up
 * (wireguard-go's {@code timersActive}) and {@link #stop()} when they go down.
 *
 * <p>Thread-safe: every method is {@code synchronized}; events come from the send path, the receive
 * path and the driver.
 */
public final class PeerTimers {
  /** One timer: pending or not, with a deadline on the monotonic clock. */
  private static final class Timer {
    boolean pending;
    long deadline;

    void mod(long now, long after) {
      pending = true;
      deadline = now + after;
    }

    void del() {
      pending = false;
    }

    boolean expired(long now) {
      return pending && now - deadline >= 0;
    }
  }

  private final Clock clock;
  private final ProtocolTiming timing;
  private final RandomGenerator random;

  private final Timer retransmitHandshake = new Timer();
  private final Timer sendKeepalive = new Timer();
  private final Timer newHandshake = new Timer();
  private final Timer zeroKeyMaterial = new Timer();
  private final Timer persistentKeepalive = new Timer();
  private final Timer[] all = {
    retransmitHandshake, sendKeepalive, newHandshake, zeroKeyMaterial, persistentKeepalive
  };

  private int handshakeAttempts;
  private boolean needAnotherKeepalive;
  private boolean sentLastMinuteHandshake;
  private int persistentKeepaliveInterval; // seconds, 0 = off
  private boolean initiationSent;
  private long lastInitiationSent;

  public PeerTimers(Clock clock, ProtocolTiming timing, RandomGenerator random) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.random = Objects.requireNonNull(random, "random");
  }

  private long jitter() {
    return timing.jitterNanos(random.nextInt(REKEY_TIMEOUT_JITTER_MAX_MS));
  }

  // ---- events ----

  /** After an authenticated data packet is sent. */
  public synchronized void dataSent() {
    if (!newHandshake.pending) {
      newHandshake.mod(
          clock.nanoTime(), timing.keepaliveTimeoutNanos() + timing.rekeyTimeoutNanos() + jitter());
    }
  }

  /** After an authenticated data packet is received. */
  public synchronized void dataReceived() {
    if (!sendKeepalive.pending) {
      sendKeepalive.mod(clock.nanoTime(), timing.keepaliveTimeoutNanos());
    } else {
      needAnotherKeepalive = true;
    }
  }

  /** After any authenticated packet is sent: keepalive, data or handshake. */
  public synchronized void anyAuthenticatedPacketSent() {
    sendKeepalive.del();
  }

  /** After any authenticated packet is received: keepalive, data or handshake. */
  public synchronized void anyAuthenticatedPacketReceived() {
    newHandshake.del();
  }

  /**
   * Before an authenticated packet (keepalive, data or handshake) is sent, or after one arrives.
   */
  public synchronized void anyAuthenticatedPacketTraversal() {
    if (persistentKeepaliveInterval > 0) {
      persistentKeepalive.mod(
          clock.nanoTime(), timing.persistentKeepaliveNanos(persistentKeepaliveInterval));
    }
  }

  /**
   * After a handshake initiation is sent. A new (non-retry) initiation starts a new series of
   * attempts.
   */
  public synchronized void handshakeInitiated(boolean isRetry) {
    long now = clock.nanoTime();
    if (!isRetry) {
      handshakeAttempts = 0;
    }
    initiationSent = true;
    lastInitiationSent = now;
    retransmitHandshake.mod(now, timing.rekeyTimeoutNanos() + jitter());
  }

  /**
   * After a handshake response is consumed, or the first data packet confirms a session this side
   * responded to.
   */
  public synchronized void handshakeComplete() {
    retransmitHandshake.del();
    handshakeAttempts = 0;
    sentLastMinuteHandshake = false;
  }

  /** After a session's keys are derived: before sending a response or after consuming one. */
  public synchronized void sessionDerived() {
    zeroKeyMaterial.mod(clock.nanoTime(), 3 * timing.rejectAfterTimeNanos());
  }

  /**
   * The peer's persistent-keepalive interval changed (0 turns it off, at most 65535 s).
   *
   * @return a keepalive to send at once when the interval was off and is now on, as wg(8) expects;
   *     else nothing
   */
  public synchronized List<TimerAction> persistentKeepaliveChanged(int intervalSeconds) {
    if (intervalSeconds < 0 || intervalSeconds > 65535) {
      throw new IllegalArgumentException(
          "persistent_keepalive_interval must be 0-65535 seconds, got " + intervalSeconds);
    }
    int old = persistentKeepaliveInterval;
    persistentKeepaliveInterval = intervalSeconds;
    if (intervalSeconds == 0) {
      persistentKeepalive.del();
      return List.of();
    }
    return old == 0 ? List.of(new TimerAction.SendKeepalive()) : List.of();
  }

  /**
   * Whether a handshake initiation may be sent now: at most one per REKEY_TIMEOUT, as wireguard-go
   * limits {@code SendHandshakeInitiation}.
   */
  public synchronized boolean handshakeInitiationAllowed() {
    return !initiationSent || clock.nanoTime() - lastInitiationSent >= timing.rekeyTimeoutNanos();
  }

  /**
   * Lifts the once-per-REKEY_TIMEOUT limit, as wireguard-go's {@code ExpireCurrentKeypairs} does
   * when the device's private key changes: the next initiation may go out at once.
   */
  public synchronized void allowHandshakeInitiationNow() {
    initiationSent = false;
  }

  /**
   * Starts a new series of handshake attempts without an initiation sent, as wireguard-go's {@code
   * SendHandshakeInitiation(false)} does even when the rate limit then suppresses the initiation.
   */
  public synchronized void resetHandshakeAttempts() {
    handshakeAttempts = 0;
  }

  /** Whether the once-per-session receive-side rekey ({@link KeyFreshness}) was already started. */
  public synchronized boolean sentLastMinuteHandshake() {
    return sentLastMinuteHandshake;
  }

  /** Records that the receive-side rekey was started; cleared when a handshake completes. */
  public synchronized void markLastMinuteHandshakeSent() {
    sentLastMinuteHandshake = true;
  }

  /** Cancels every timer, as when the peer or its device goes down. */
  public synchronized void stop() {
    for (Timer t : all) {
      t.del();
    }
  }

  // ---- expiry ----

  /** The earliest pending deadline (monotonic nanoseconds), or empty if no timer is pending. */
  public synchronized OptionalLong nextDeadline() {
    Timer next = earliest();
    return next == null ? OptionalLong.empty() : OptionalLong.of(next.deadline);
  }

  /** {@link #expire} at the clock's current time. */
  public List<TimerAction> poll() {
    return expire(clock.nanoTime());
  }

  /**
   * Fires every timer whose deadline is at or before {@code now}, earliest first, and returns the
   * actions they ask for, in that order. Timers they re-arm are armed relative to {@code now}.
   */
  public synchronized List<TimerAction> expire(long now) {
    List<TimerAction> actions = new ArrayList<>(2);
    for (Timer t = earliest(); t != null && t.expired(now); t = earliest()) {
      t.del();
      if (t == retransmitHandshake) {
        expiredRetransmitHandshake(now, actions);
      } else if (t == sendKeepalive) {
        expiredSendKeepalive(now, actions);
      } else if (t == newHandshake) {
        actions.add(new TimerAction.InitiateHandshake(false, 1));
      } else if (t == zeroKeyMaterial) {
        actions.add(new TimerAction.ZeroKeyMaterial());
      } else if (persistentKeepaliveInterval > 0) {
        actions.add(new TimerAction.SendPersistentKeepalive());
      }
    }
    return actions;
  }

  private void expiredRetransmitHandshake(long now, List<TimerAction> actions) {
    if (handshakeAttempts > MAX_TIMER_HANDSHAKES) {
      sendKeepalive.del();
      actions.add(new TimerAction.HandshakeGaveUp(MAX_TIMER_HANDSHAKES + 2));
      // destroy whatever is left of the partial exchange later, unless that is already scheduled
      if (!zeroKeyMaterial.pending) {
        zeroKeyMaterial.mod(now, 3 * timing.rejectAfterTimeNanos());
      }
    } else {
      handshakeAttempts++;
      actions.add(new TimerAction.InitiateHandshake(true, handshakeAttempts + 1));
    }
  }

  private void expiredSendKeepalive(long now, List<TimerAction> actions) {
    actions.add(new TimerAction.SendKeepalive());
    if (needAnotherKeepalive) {
      needAnotherKeepalive = false;
      sendKeepalive.mod(now, timing.keepaliveTimeoutNanos());
    }
  }

  private Timer earliest() {
    Timer best = null;
    for (Timer t : all) {
      if (t.pending && (best == null || t.deadline - best.deadline < 0)) {
        best = t;
      }
    }
    return best;
  }
}
