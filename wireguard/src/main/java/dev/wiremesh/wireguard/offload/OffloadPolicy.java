package dev.wiremesh.wireguard.offload;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The offloads the user allows the data plane to ask for. Every offload is allowed unless named in
 * {@value #ENV} (a comma-separated list of {@code tun-vnet-hdr}, {@code tun-tso}, {@code udp-gso},
 * {@code udp-gro}, or {@code all}); disabling {@code tun-vnet-hdr} disables {@code tun-tso}, which
 * needs it. For diagnosing a kernel or a NIC that mishandles an offload, and for tests of the
 * fallback paths.
 */
public record OffloadPolicy(Set<Offload> disabled) {
  /** The environment variable that disables offloads. */
  public static final String ENV = "WIREMESH_WG_DISABLE_OFFLOADS";

  public OffloadPolicy {
    var set = EnumSet.noneOf(Offload.class);
    set.addAll(disabled);
    if (set.contains(Offload.TUN_VNET_HDR)) {
      set.add(Offload.TUN_TSO);
    }
    disabled = Collections.unmodifiableSet(set);
  }

  /** Every offload allowed. */
  public static OffloadPolicy all() {
    return new OffloadPolicy(Set.of());
  }

  /** The policy of {@value #ENV} in this process's environment. */
  public static OffloadPolicy fromEnvironment() {
    return parse(System.getenv(ENV));
  }

  /**
   * Parses a value of {@value #ENV}: empty or null allows every offload.
   *
   * @throws IllegalArgumentException naming the variable, the bad entry and what is valid
   */
  public static OffloadPolicy parse(String value) {
    if (value == null || value.isBlank()) {
      return all();
    }
    var disabled = EnumSet.noneOf(Offload.class);
    for (String raw : value.split(",", -1)) {
      String entry = raw.strip();
      if (entry.equals("all")) {
        disabled.addAll(EnumSet.allOf(Offload.class));
        continue;
      }
      Offload offload =
          Offload.byId(entry)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          ENV
                              + ": \""
                              + entry
                              + "\" is not an offload; valid: a comma-separated list of "
                              + Arrays.stream(Offload.values())
                                  .map(Offload::id)
                                  .collect(Collectors.joining(", "))
                              + ", or all"));
      disabled.add(offload);
    }
    return new OffloadPolicy(disabled);
  }

  /** Whether the data plane may ask the kernel for {@code offload}. */
  public boolean allows(Offload offload) {
    return !disabled.contains(offload);
  }
}
