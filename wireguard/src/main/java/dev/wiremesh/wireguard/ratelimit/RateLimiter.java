package dev.wiremesh.wireguard.ratelimit;

import dev.wiremesh.wireguard.timers.Clock;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * The per-source limit on handshake messages that a device under load still processes: a token
 * bucket per source of {@value #PACKETS_PER_SECOND} messages a second with a burst of {@value
 * #PACKETS_BURSTABLE}, counted in nanoseconds of the injected {@link Clock} (as wireguard-go's
 * {@code ratelimiter} and the kernel's {@code ratelimiter.c}).
 *
 * <p>An IPv4 source is keyed on its address, an IPv6 source on its /64 (one host usually owns a
 * whole /64, so finer keys would let it multiply its budget); an IPv4-mapped IPv6 address counts as
 * its IPv4 address. The table holds at most {@code maxEntries} sources: when it is full, a new
 * source is refused rather than the table grown, so a flood of spoofed sources costs bounded
 * memory. A source idle for more than {@value #GARBAGE_COLLECT_TIME_NANOS} ns is forgotten; there
 * is no thread inside: garbage is collected lazily by {@link #allow} at most once a second, or when
 * the caller calls {@link #collectGarbage}.
 *
 * <p>Thread-safe: one lock guards the table; handshake messages are rare next to data packets.
 */
public final class RateLimiter {
  public static final int PACKETS_PER_SECOND = 20;
  public static final int PACKETS_BURSTABLE = 5;

  /** The tokens one message costs: the nanoseconds between two messages at the steady rate. */
  public static final long PACKET_COST = 1_000_000_000L / PACKETS_PER_SECOND;

  public static final long MAX_TOKENS = PACKET_COST * PACKETS_BURSTABLE;
  public static final long GARBAGE_COLLECT_TIME_NANOS = 1_000_000_000L;
  public static final int DEFAULT_MAX_ENTRIES = 8192;

  /** A source's bucket. */
  private static final class Entry {
    long lastTime;
    long tokens;
  }

  private final Clock clock;
  private final int maxEntries;
  // IPv4 keys are the address as an unsigned int; IPv6 keys are the upper 64 bits. Two maps keep
  // 0.0.0.1 and ::1-style /64 keys apart.
  private final Map<Long, Entry> ipv4 = new HashMap<>();
  private final Map<Long, Entry> ipv6 = new HashMap<>();
  private long lastGarbageCollection;

  public RateLimiter(Clock clock) {
    this(clock, DEFAULT_MAX_ENTRIES);
  }

  /**
   * @param maxEntries sources tracked at most (IPv4 and IPv6 together), at least 1
   */
  public RateLimiter(Clock clock, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.lastGarbageCollection = clock.nanoTime();
  }

  /** Whether a handshake message from {@code source} may be processed now; spends a token if so. */
  public boolean allow(InetAddress source) {
    return allow(source.getAddress());
  }

  /**
   * Whether a handshake message from the source address {@code address} (4 or 16 bytes, network
   * order) may be processed now; spends a token if so.
   */
  public boolean allow(byte[] address) {
    if (address.length == 4) {
      return allow(ipv4, ipv4Key(address, 0));
    }
    if (address.length == 16) {
      if (isIpv4Mapped(address)) {
        return allow(ipv4, ipv4Key(address, 12));
      }
      return allow(ipv6, upper64(address));
    }
    throw new IllegalArgumentException(
        "a source address has 4 (IPv4) or 16 (IPv6) bytes, got " + address.length);
  }

  private synchronized boolean allow(Map<Long, Entry> table, long key) {
    long now = clock.nanoTime();
    if (now - lastGarbageCollection >= GARBAGE_COLLECT_TIME_NANOS) {
      collectGarbage(now);
    }
    Entry entry = table.get(key);
    if (entry == null) {
      if (size() >= maxEntries) {
        return false;
      }
      entry = new Entry();
      // a new source has spent one message of a full bucket
      entry.tokens = MAX_TOKENS - PACKET_COST;
      entry.lastTime = now;
      table.put(key, entry);
      return true;
    }
    // tokens += now - lastTime, at most MAX_TOKENS
    entry.tokens = Math.min(MAX_TOKENS, entry.tokens + (now - entry.lastTime));
    entry.lastTime = now;
    // '>=' as the kernel compares: an exactly refilled token is spendable
    if (entry.tokens >= PACKET_COST) {
      entry.tokens -= PACKET_COST;
      return true;
    }
    return false;
  }

  /** Forgets every source idle for more than {@value #GARBAGE_COLLECT_TIME_NANOS} ns. */
  public synchronized void collectGarbage() {
    collectGarbage(clock.nanoTime());
  }

  private void collectGarbage(long now) {
    lastGarbageCollection = now;
    expire(ipv4, now);
    expire(ipv6, now);
  }

  private static void expire(Map<Long, Entry> table, long now) {
    for (Iterator<Entry> it = table.values().iterator(); it.hasNext(); ) {
      if (now - it.next().lastTime > GARBAGE_COLLECT_TIME_NANOS) {
        it.remove();
      }
    }
  }

  /** Sources tracked now. */
  public synchronized int size() {
    return ipv4.size() + ipv6.size();
  }

  private static long ipv4Key(byte[] a, int offset) {
    return ((a[offset] & 0xffL) << 24)
        | ((a[offset + 1] & 0xffL) << 16)
        | ((a[offset + 2] & 0xffL) << 8)
        | (a[offset + 3] & 0xffL);
  }

  private static long upper64(byte[] a) {
    long key = 0;
    for (int i = 0; i < 8; i++) {
      key = (key << 8) | (a[i] & 0xffL);
    }
    return key;
  }

  private static boolean isIpv4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }
}
