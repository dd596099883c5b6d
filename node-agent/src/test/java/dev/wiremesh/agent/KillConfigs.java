package dev.wiremesh.agent;

import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.RouteConfig;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The configurations {@link AgentKilledMidApplyIT} moves an agent between, so that "the old or the
 * new one" can be told apart in every part of the node: {@link #leader} and {@link #member} differ
 * in everything the agent applies (addresses, listen port, MTU, peers, their endpoints, allowed
 * IPs, keepalives and preshared keys, forwarding and a route over the node network, encryption
 * Required or Preferred); {@link #leaderNext} differs from {@link #leader} in its peers only (some
 * removed, some changed, some added), so the operator sends it as a delta ({@code PATCH}).
 */
final class KillConfigs {
  static final String MESH = "killtest";
  static final String TABLE = EncryptionPolicy.tableFor(MESH);
  static final int PEERS = 64;

  final DeviceConfig leader;
  final DeviceConfig leaderNext;
  final DeviceConfig member;

  /** Short names for the test's output. */
  private final Map<String, String> names = new HashMap<>();

  /**
   * @param ifname the WireGuard interface
   * @param underlayGateway an address on the node network, for the leader's route over it
   */
  KillConfigs(String ifname, String underlayGateway) {
    Random random = new Random(18);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < PEERS + PEERS / 4; i++) {
      keys.add(publicKey(random));
    }
    List<PeerConfig> leaderPeers = new ArrayList<>();
    for (int i = 0; i < PEERS; i++) {
      leaderPeers.add(
          new PeerConfig(
              keys.get(i),
              i % 3 == 0 ? psk(random) : null,
              "192.0.2." + (10 + i) + ":51820",
              List.of("10.110.1." + (i + 1) + "/32", "10.120." + i + ".0/24"),
              i % 4 == 0 ? 25 : 0,
              null));
    }
    // The next leader config: the last quarter removed, the second quarter changed, new ones added.
    List<PeerConfig> nextPeers = new ArrayList<>();
    for (int i = 0; i < PEERS * 3 / 4; i++) {
      PeerConfig p = leaderPeers.get(i);
      boolean change = i >= PEERS / 4 && i < PEERS / 2;
      nextPeers.add(
          change
              ? new PeerConfig(
                  p.publicKey(),
                  psk(random),
                  "192.0.2." + (10 + i) + ":51899",
                  List.of("10.110.2." + (i + 1) + "/32", "fd00:120::" + (i + 1) + "/128"),
                  15,
                  null)
              : p);
    }
    for (int i = PEERS; i < PEERS + PEERS / 4; i++) {
      nextPeers.add(
          new PeerConfig(
              keys.get(i),
              null,
              "192.0.2." + (10 + i) + ":51820",
              List.of("10.110.3." + (i + 1) + "/32"),
              0,
              null));
    }
    // The member config: half the leader's peers with other settings, half others.
    List<PeerConfig> memberPeers = new ArrayList<>();
    for (int i = 0; i < PEERS / 2; i++) {
      int k = i % 2 == 0 ? i : PEERS / 2 + i;
      memberPeers.add(
          new PeerConfig(
              keys.get(k),
              i % 2 == 0 ? psk(random) : null,
              "192.0.2." + (100 + i) + ":51821",
              List.of("10.111.1." + (i + 1) + "/32", "10.121." + i + ".0/24"),
              i % 3 == 0 ? 20 : 0,
              null));
    }
    EncryptionPolicy required = new EncryptionPolicy(EncryptionPolicy.REQUIRED, TABLE, List.of());
    EncryptionPolicy preferred = new EncryptionPolicy(EncryptionPolicy.PREFERRED, TABLE, List.of());
    List<RouteConfig> direct =
        List.of(new RouteConfig("10.220.0.0/24", underlayGateway, "10.110.0.1"));
    List<String> leaderAddresses = List.of("10.110.0.1/16", "fd00:110::1/64");
    leader =
        new DeviceConfig(
                null, ifname, leaderAddresses, 51820, 1420, leaderPeers, true, direct, required)
            .withHash();
    leaderNext =
        new DeviceConfig(
                null, ifname, leaderAddresses, 51820, 1420, nextPeers, true, direct, required)
            .withHash();
    member =
        new DeviceConfig(
                null,
                ifname,
                List.of("10.111.0.1/16", "fd00:111::1/64"),
                51821,
                1380,
                memberPeers,
                false,
                List.of(),
                preferred)
            .withHash();
    names.put(leader.hash(), "leader");
    names.put(leaderNext.hash(), "leader-next");
    names.put(member.hash(), "member");
  }

  List<DeviceConfig> all() {
    return List.of(leader, leaderNext, member);
  }

  /** The config's short name, or its hash if it is none of these. */
  String name(String hash) {
    return names.getOrDefault(hash, String.valueOf(hash));
  }

  /** Whether the operator would send {@code to} to an agent holding {@code from} as a delta. */
  static boolean deltaPossible(DeviceConfig from, DeviceConfig to) {
    return from.interfaceHash().equals(to.interfaceHash());
  }

  /** The delta the operator sends to take an agent from {@code from} to {@code to}. */
  static ConfigDelta delta(DeviceConfig from, DeviceConfig to) {
    Map<String, PeerConfig> was = new HashMap<>();
    for (PeerConfig p : from.peers()) {
      was.put(p.publicKey(), p);
    }
    List<String> keep = to.peers().stream().map(PeerConfig::publicKey).toList();
    List<String> remove = was.keySet().stream().filter(k -> !keep.contains(k)).sorted().toList();
    List<PeerConfig> upsert =
        to.peers().stream().filter(p -> !p.equals(was.get(p.publicKey()))).toList();
    return new ConfigDelta(from.hash(), to.hash(), upsert, remove);
  }

  private static String publicKey(Random random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return NoisePrivateKey.fromBase64(Base64.getEncoder().encodeToString(b)).publicKey().toBase64();
  }

  private static String psk(Random random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
