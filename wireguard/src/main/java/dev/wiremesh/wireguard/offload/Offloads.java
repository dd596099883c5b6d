package dev.wiremesh.wireguard.offload;

import dev.wiremesh.wireguard.offload.OffloadState.Status;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The offloads of one interface: what the policy allows, and what the TUN and the UDP sockets
 * negotiated with the kernel. The TUN and the bind record into it as they set up; a run-time
 * fallback is recorded and logged once. Read by the daemon's start-up log line and the agent's
 * metrics. Thread-safe.
 */
public final class Offloads {
  private static final Logger LOG = Logger.getLogger(Offloads.class.getName());

  private final OffloadPolicy policy;
  private final Map<Offload, OffloadState> states = new EnumMap<>(Offload.class);

  public Offloads(OffloadPolicy policy) {
    this.policy = policy;
    for (Offload o : Offload.values()) {
      states.put(
          o,
          policy.allows(o)
              ? new OffloadState(Status.PENDING, "")
              : new OffloadState(Status.DISABLED, "by policy"));
    }
  }

  /** Every offload allowed. */
  public static Offloads allowingAll() {
    return new Offloads(OffloadPolicy.all());
  }

  /** With the policy of the environment ({@value OffloadPolicy#ENV}). */
  public static Offloads fromEnvironment() {
    return new Offloads(OffloadPolicy.fromEnvironment());
  }

  public OffloadPolicy policy() {
    return policy;
  }

  /** Whether the data plane may ask for {@code offload}. */
  public boolean allows(Offload offload) {
    return policy.allows(offload);
  }

  /**
   * Records what the kernel answered when asked for {@code offload}: on with {@code detail} (e.g.
   * where it applies) or refused with {@code detail} (e.g. the errno).
   */
  public synchronized void negotiated(Offload offload, boolean accepted, String detail) {
    if (!policy.allows(offload)) {
      return;
    }
    states.put(offload, new OffloadState(accepted ? Status.ON : Status.REFUSED, detail));
  }

  /**
   * Records that the kernel refused {@code offload} while in use, for {@code reason}; logged once
   * (at the daemon's verbose level) the first time.
   */
  public void fellBack(Offload offload, String reason) {
    synchronized (this) {
      if (states.get(offload).status() == Status.FELL_BACK) {
        return;
      }
      states.put(offload, new OffloadState(Status.FELL_BACK, reason));
    }
    LOG.log(
        Level.INFO,
        () -> "offload " + offload + " fell back to the plain path: " + reason + "; " + describe());
  }

  /** Where {@code offload} stands now. */
  public synchronized OffloadState state(Offload offload) {
    return states.get(offload);
  }

  /** Every offload's state, in {@link Offload} order. */
  public synchronized Map<Offload, OffloadState> snapshot() {
    return Collections.unmodifiableMap(new EnumMap<>(states));
  }

  /**
   * One line for the log: {@code offloads: tun-vnet-hdr on, tun-tso on, udp-gso on (ipv4, ipv6),
   * udp-gro refused (ENOPROTOOPT)}.
   */
  public String describe() {
    return snapshot().entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", ", "offloads: ", ""));
  }

  @Override
  public String toString() {
    return describe();
  }
}
