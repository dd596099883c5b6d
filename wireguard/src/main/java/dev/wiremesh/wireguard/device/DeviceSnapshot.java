package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.net.Endpoint;
import java.time.Instant;
import java.util.List;

/**
 * A consistent view of a device's configuration and counters, as {@code wg show} prints it. It
 * holds the private key only because the UAPI's {@code get} must return it to root on this node.
 */
public record DeviceSnapshot(
    NoisePrivateKey privateKey, int listenPort, int fwmark, List<PeerSnapshot> peers) {

  /**
   * One peer. {@code lastHandshake} is null before the first handshake; {@code endpointSeen} is
   * when an authenticated packet last came from {@code endpoint}, null while it is only configured.
   */
  public record PeerSnapshot(
      NoisePublicKey publicKey,
      PresharedKey presharedKey,
      Endpoint endpoint,
      Instant lastHandshake,
      long rxBytes,
      long txBytes,
      int persistentKeepalive,
      List<IpPrefix> allowedIps,
      Instant endpointSeen) {}

  @Override
  public String toString() {
    return "DeviceSnapshot[listenPort=" + listenPort + ", peers=" + peers.size() + "]";
  }
}
