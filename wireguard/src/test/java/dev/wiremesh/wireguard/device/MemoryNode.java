package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.net.MemoryBind;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.MemoryTun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;

/** A {@link Device} on a {@link MemoryTun} and a {@link MemoryBind}: a whole node in memory. */
final class MemoryNode implements AutoCloseable {
  final MemoryTun tun;
  final MemoryBind bind;
  final Device device;
  final NoisePrivateKey privateKey = NoisePrivateKey.generate(new SecureRandom());
  final InetAddress underlay;
  final InetAddress tunnelAddress;

  MemoryNode(MemoryNetwork network, String name, String underlay, String tunnelAddress) {
    this(network, name, underlay, tunnelAddress, ProtocolTiming.standard());
  }

  MemoryNode(
      MemoryNetwork network,
      String name,
      String underlay,
      String tunnelAddress,
      ProtocolTiming timing) {
    this.underlay = ip(underlay);
    this.tunnelAddress = ip(tunnelAddress);
    this.tun = new MemoryTun(name);
    this.bind = network.bind(this.underlay);
    this.device = new Device(tun, bind, Clock.system(), timing);
    try {
      device.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    device.configurePrivateKey(privateKey);
  }

  NoisePublicKey publicKey() {
    return privateKey.publicKey();
  }

  Endpoint endpoint() {
    return Endpoint.of(underlay, bind.localPort());
  }

  /** Makes {@code other} a peer of this node and this node a peer of {@code other}. */
  void connect(MemoryNode other) {
    device.configurePeer(other.publicKey());
    device.configureEndpoint(other.publicKey(), other.endpoint());
    device.configureAllowedIp(
        other.publicKey(), IpPrefix.parse(other.tunnelAddress.getHostAddress() + "/32"));
    other.device.configurePeer(publicKey());
    other.device.configureEndpoint(publicKey(), endpoint());
    other.device.configureAllowedIp(
        publicKey(), IpPrefix.parse(tunnelAddress.getHostAddress() + "/32"));
  }

  /** Sends {@code payload} from this node's tunnel address to {@code to}'s through its TUN. */
  void send(MemoryNode to, byte[] payload) {
    tun.inject(ipv4(tunnelAddress, to.tunnelAddress, payload));
  }

  /** The payload of the next packet the device wrote to its TUN, or null after {@code timeout}. */
  byte[] receive(Duration timeout) throws InterruptedException {
    byte[] p = tun.takeWritten(timeout);
    return p == null ? null : java.util.Arrays.copyOfRange(p, 20, p.length);
  }

  /** A minimal IPv4 packet (protocol 253, experimental) carrying {@code payload}. */
  static byte[] ipv4(InetAddress src, InetAddress dst, byte[] payload) {
    byte[] p = new byte[20 + payload.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[8] = 64;
    p[9] = (byte) 253;
    System.arraycopy(src.getAddress(), 0, p, 12, 4);
    System.arraycopy(dst.getAddress(), 0, p, 16, 4);
    System.arraycopy(payload, 0, p, 20, payload.length);
    return p;
  }

  static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public void close() {
    device.close();
  }
}
