package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A node's whole desired WireGuard configuration, as the operator plans it and the agent applies
 * it. {@code hash} is {@link ConfigHash#of} of the rest; the agent refuses a config whose hash does
 * not match its content.
 *
 * @param forwarding whether the node forwards packets between its interfaces (a location's leader
 *     does: it carries the location's traffic to the other locations)
 * @param routes routes over the node's own network rather than the tunnel (the location topology's
 *     Direct mode); empty otherwise
 * @param encryption the mesh's must-encrypt policy; null for an agent that does not report one (it
 *     predates the policy)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceConfig(
    String hash,
    String interfaceName,
    List<String> addresses,
    int listenPort,
    int mtu,
    List<PeerConfig> peers,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean forwarding,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RouteConfig> routes,
    EncryptionPolicy encryption) {
  public DeviceConfig {
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    peers = peers == null ? List.of() : List.copyOf(peers);
    routes = routes == null ? List.of() : List.copyOf(routes);
  }

  /** A config without forwarding and without routes outside the tunnel (a full mesh node's). */
  public DeviceConfig(
      String hash,
      String interfaceName,
      List<String> addresses,
      int listenPort,
      int mtu,
      List<PeerConfig> peers) {
    this(hash, interfaceName, addresses, listenPort, mtu, peers, false, List.of(), null);
  }

  /** A config without an encryption policy. */
  public DeviceConfig(
      String hash,
      String interfaceName,
      List<String> addresses,
      int listenPort,
      int mtu,
      List<PeerConfig> peers,
      boolean forwarding,
      List<RouteConfig> routes) {
    this(hash, interfaceName, addresses, listenPort, mtu, peers, forwarding, routes, null);
  }

  /** This config with its hash computed. */
  public DeviceConfig withHash() {
    return new DeviceConfig(
        ConfigHash.of(this),
        interfaceName,
        addresses,
        listenPort,
        mtu,
        peers,
        forwarding,
        routes,
        encryption);
  }

  /** This config with another encryption policy (and no hash: call {@link #withHash()}). */
  public DeviceConfig withEncryption(EncryptionPolicy policy) {
    return new DeviceConfig(
        null, interfaceName, addresses, listenPort, mtu, peers, forwarding, routes, policy);
  }

  /**
   * This config with another location role: whether it forwards, and its routes over the node's own
   * network (and no hash: call {@link #withHash()}).
   */
  public DeviceConfig withLocation(boolean forwarding, List<RouteConfig> routes) {
    return new DeviceConfig(
        null, interfaceName, addresses, listenPort, mtu, peers, forwarding, routes, encryption);
  }

  /**
   * The hash of everything but the peers: two configs with the same interface hash differ at most
   * in their peers, which is all a {@link ConfigDelta} can carry. Every field the agent applies is
   * in the hash, so a field added later is covered without a change here.
   */
  public String interfaceHash() {
    return ConfigHash.of(
        new DeviceConfig(
            null,
            interfaceName,
            addresses,
            listenPort,
            mtu,
            List.of(),
            forwarding,
            routes,
            encryption));
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
        forwarding,
        routes,
        encryption);
  }
}
