package dev.wiremesh.agent.api;

import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.EncryptionStatus;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.wireguard.offload.Offload;
import dev.wiremesh.wireguard.offload.OffloadState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics: config applies and failures, peers added/changed/removed, per-peer traffic
 * and handshake age, the data plane's dropped packets by reason, the kernel offloads it uses, and
 * the must-encrypt rules' plaintext drops.
 */
@ApplicationScoped
public class AgentMetrics {
  private final MeterRegistry registry;
  private final DeviceManager manager;
  private final Counter applies;
  private final Counter failures;
  private final Set<String> peersWithGauges = ConcurrentHashMap.newKeySet();
  private final Set<String> dropReasons = ConcurrentHashMap.newKeySet();
  private volatile Map<String, PeerStatus> lastStatus = Map.of();
  private volatile EncryptionStatus encryptionStatus;
  private volatile long encryptionReadAt;

  AgentMetrics(MeterRegistry registry, DeviceManager manager) {
    this.registry = registry;
    this.manager = manager;
    this.applies = registry.counter("wiremesh_config_applies_total");
    this.failures = registry.counter("wiremesh_config_apply_failures_total");
    Gauge.builder("wiremesh_peers", this, m -> m.refresh().size()).register(registry);
    for (String event :
        new String[] {
          "initiation sent", "response sent", "response consumed", "session confirmed"
        }) {
      Gauge.builder(
              "wiremesh_handshake_events",
              this,
              m -> m.manager.handshakeEvents().getOrDefault(event, 0L))
          .tags("event", event.replace(' ', '_'))
          .register(registry);
    }
    // Must-encrypt: the drop counter of the agent's nftables table (zero without one), and whether
    // the policy is enforced. One nft call serves a whole scrape.
    FunctionCounter.builder(
            "wiremesh_plaintext_dropped_packets_total", this, m -> m.encryption().droppedPackets())
        .description("Packets the must-encrypt rules dropped (encryption Required)")
        .register(registry);
    FunctionCounter.builder(
            "wiremesh_plaintext_dropped_bytes_total", this, m -> m.encryption().droppedBytes())
        .description("Bytes the must-encrypt rules dropped (encryption Required)")
        .register(registry);
    Gauge.builder("wiremesh_encryption_enforced", this, m -> m.encryption().enforced() ? 1 : 0)
        .description("1 when encryption is Required and this node's rules are installed")
        .register(registry);
    Gauge.builder("wiremesh_handshakes_completed", this, m -> m.manager.handshakesCompleted())
        .register(registry);
    // Failures: handshake messages refused (bad MAC1, a refused initiation or response).
    Gauge.builder(
            "wiremesh_handshake_failures",
            this,
            m -> {
              Map<String, Long> d = m.manager.drops();
              return d.getOrDefault("bad mac1", 0L)
                  + d.getOrDefault("initiation refused", 0L)
                  + d.getOrDefault("response refused", 0L);
            })
        .register(registry);
    // 1 while the data plane uses the offload, 0 when disabled, refused or fallen back: a silent
    // fallback to the slow path shows on a dashboard (the agent's log says why).
    for (Offload o : Offload.values()) {
      Gauge.builder(
              "wiremesh_dataplane_offload_engaged",
              this,
              m -> {
                OffloadState st = m.manager.offloads().get(o);
                return st != null && st.engaged() ? 1 : 0;
              })
          .tags("offload", o.id())
          .description("1 while the data plane uses this kernel offload, else 0")
          .register(registry);
    }
  }

  private EncryptionStatus encryption() {
    long now = System.nanoTime();
    EncryptionStatus s = encryptionStatus;
    if (s == null || now - encryptionReadAt > 1_000_000_000L) {
      s = manager.encryption();
      encryptionStatus = s;
      encryptionReadAt = now;
    }
    return s;
  }

  void applied(DeviceManager.Applied a) {
    applies.increment();
    registry.counter("wiremesh_peer_changes_total", "change", "added").increment(a.added());
    registry.counter("wiremesh_peer_changes_total", "change", "changed").increment(a.changed());
    registry.counter("wiremesh_peer_changes_total", "change", "removed").increment(a.removed());
    refresh();
  }

  void applyFailed() {
    failures.increment();
  }

  /** Reads the device's state and registers gauges for peers and drop reasons seen first now. */
  Map<String, PeerStatus> refresh() {
    DeviceStatus s = manager.status();
    Map<String, PeerStatus> byKey = new ConcurrentHashMap<>();
    for (PeerStatus p : s.peers()) {
      byKey.put(p.publicKey(), p);
      if (peersWithGauges.add(p.publicKey())) {
        Tags t = Tags.of("peer", p.publicKey());
        Gauge.builder("wiremesh_peer_rx_bytes", this, m -> value(p.publicKey(), 0))
            .tags(t)
            .register(registry);
        Gauge.builder("wiremesh_peer_tx_bytes", this, m -> value(p.publicKey(), 1))
            .tags(t)
            .register(registry);
        Gauge.builder(
                "wiremesh_peer_last_handshake_age_seconds", this, m -> value(p.publicKey(), 2))
            .tags(t)
            .register(registry);
      }
    }
    lastStatus = byKey;
    for (String reason : manager.drops().keySet()) {
      if (dropReasons.add(reason)) {
        Gauge.builder(
                "wiremesh_packets_dropped", this, m -> m.manager.drops().getOrDefault(reason, 0L))
            .tags("reason", reason)
            .register(registry);
      }
    }
    return byKey;
  }

  private double value(String key, int which) {
    PeerStatus p = refresh().get(key);
    if (p == null) {
      return Double.NaN;
    }
    return switch (which) {
      case 0 -> p.rxBytes();
      case 1 -> p.txBytes();
      default ->
          p.lastHandshake() == 0
              ? Double.NaN
              : System.currentTimeMillis() / 1000.0 - p.lastHandshake();
    };
  }
}
