package dev.wiremesh.agent.device;

import dev.wiremesh.agent.encryption.Policy;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.net.Endpoint;
import java.util.List;
import java.util.Map;

/**
 * A {@link DeviceConfig} that passed {@link ConfigValidator}: every value parsed into the type the
 * device takes, so applying it cannot fail on a value. {@code encryption} is null for a config
 * without a policy.
 */
record ValidConfig(
    DeviceConfig source,
    String interfaceName,
    List<IpPrefix> addresses,
    int listenPort,
    int mtu,
    Map<NoisePublicKey, Peer> peers,
    Policy encryption) {

  /**
   * One peer, parsed. {@code psk} is null for none; {@code endpoint} null for unknown; {@code
   * previousPublicKey} null unless the peer's key is rotating.
   */
  record Peer(
      PeerConfig source,
      NoisePublicKey publicKey,
      PresharedKey psk,
      Endpoint endpoint,
      List<IpPrefix> allowedIps,
      int persistentKeepalive,
      NoisePublicKey previousPublicKey) {}
}
