package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A node's whole desired WireGuard configuration, as the operator plans it and the agent applies
 * it. {@code hash} is {@link ConfigHash#of} of the rest; the agent refuses a config whose hash does
 * not match its content. {@code encryption} is the mesh's must-encrypt policy, null for an agent
 * that does not report one (it predates the policy).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceConfig(
    String hash,
    String interfaceName,
    List<String> addresses,
    int listenPort,
    int mtu,
    List<PeerConfig> peers,
    EncryptionPolicy encryption) {
  public DeviceConfig {
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    peers = peers == null ? List.of() : List.copyOf(peers);
  }

  /** A config without an encryption policy. */
  public DeviceConfig(
      String hash,
      String interfaceName,
      List<String> addresses,
      int listenPort,
      int mtu,
      List<PeerConfig> peers) {
    this(hash, interfaceName, addresses, listenPort, mtu, peers, null);
  }

  /** This config with its hash computed. */
  public DeviceConfig withHash() {
    return new DeviceConfig(
        ConfigHash.of(this), interfaceName, addresses, listenPort, mtu, peers, encryption);
  }

  /** This config with another encryption policy (and no hash: call {@link #withHash()}). */
  public DeviceConfig withEncryption(EncryptionPolicy policy) {
    return new DeviceConfig(null, interfaceName, addresses, listenPort, mtu, peers, policy);
  }

  /** True when {@code hash} matches the content. */
  public boolean hashMatches() {
    return hash != null && hash.equals(ConfigHash.of(this));
  }

  /**
   * Applies a delta: peers in {@code upsert} replace those with the same public key or are added;
   * peers whose keys are in {@code remove} go. The result carries the delta's hash.
   */
  public DeviceConfig apply(ConfigDelta delta) {
    java.util.Map<String, PeerConfig> byKey = new java.util.LinkedHashMap<>();
    for (PeerConfig p : peers) {
      byKey.put(p.publicKey(), p);
    }
    for (String k : delta.remove()) {
      byKey.remove(k);
    }
    for (PeerConfig p : delta.upsert()) {
      byKey.put(p.publicKey(), p);
    }
    return new DeviceConfig(
        delta.hash(),
        interfaceName,
        addresses,
        listenPort,
        mtu,
        List.copyOf(byKey.values()),
        encryption);
  }
}
