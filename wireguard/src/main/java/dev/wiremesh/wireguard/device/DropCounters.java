package dev.wiremesh.wireguard.device;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts by name: packets the device dropped, by reason (what an operator reads to learn why
 * traffic vanished), and handshake events.
 */
public final class DropCounters {
  private final ConcurrentHashMap<String, LongAdder> byReason = new ConcurrentHashMap<>();

  void dropped(String reason) {
    count(reason);
  }

  void dropped(String reason, int packets) {
    byReason.computeIfAbsent(reason, r -> new LongAdder()).add(packets);
  }

  void count(String reason) {
    byReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** A sorted copy of the counts. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    byReason.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public long get(String reason) {
    LongAdder a = byReason.get(reason);
    return a == null ? 0 : a.sum();
  }
}
