package dev.wiremesh.wireguard.uapi;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.device.Device;
import dev.wiremesh.wireguard.device.DeviceSnapshot;
import dev.wiremesh.wireguard.net.Endpoint;
import java.io.IOException;
import java.net.BindException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cross-platform userspace API's two operations, {@code get=1} and {@code set=1}, on a device.
 */
public final class UapiHandler {
  private static final Logger LOG = Logger.getLogger(UapiHandler.class.getName());
  private static final String ZERO_KEY = "0".repeat(64);

  private final Device device;

  public UapiHandler(Device device) {
    this.device = device;
  }

  /** The body of a {@code get=1} reply, without the final {@code errno=0} line. */
  public String get() {
    DeviceSnapshot s = device.snapshot();
    StringBuilder b = new StringBuilder(256 + 256 * s.peers().size());
    if (s.privateKey() != null) {
      b.append("private_key=").append(s.privateKey().toHex()).append('\n');
    }
    b.append("listen_port=").append(s.listenPort()).append('\n');
    if (s.fwmark() != 0) {
      b.append("fwmark=").append(Integer.toUnsignedString(s.fwmark())).append('\n');
    }
    for (DeviceSnapshot.PeerSnapshot p : s.peers()) {
      b.append("public_key=").append(p.publicKey().toHex()).append('\n');
      b.append("preshared_key=")
          .append(p.presharedKey() == null ? ZERO_KEY : p.presharedKey().toHex())
          .append('\n');
      b.append("protocol_version=1\n");
      Endpoint ep = p.endpoint();
      if (ep != null) {
        b.append("endpoint=").append(ep).append('\n');
      }
      long sec = 0;
      long nsec = 0;
      if (p.lastHandshake() != null) {
        sec = p.lastHandshake().getEpochSecond();
        nsec = p.lastHandshake().getNano();
      }
      b.append("last_handshake_time_sec=").append(sec).append('\n');
      b.append("last_handshake_time_nsec=").append(nsec).append('\n');
      b.append("tx_bytes=").append(p.txBytes()).append('\n');
      b.append("rx_bytes=").append(p.rxBytes()).append('\n');
      b.append("persistent_keepalive_interval=").append(p.persistentKeepalive()).append('\n');
      for (IpPrefix prefix : p.allowedIps()) {
        b.append("allowed_ip=").append(prefix).append('\n');
      }
    }
    return b.toString();
  }

  /**
   * Applies a validated request. Device settings first: a port that cannot be bound fails the
   * request before any peer changes (EADDRINUSE).
   */
  public void set(SetRequest r) throws UapiException {
    synchronized (device.configLock()) {
      if (r.listenPort() != null) {
        try {
          device.configureListenPort(r.listenPort());
        } catch (BindException e) {
          throw new UapiException(
              UapiException.EADDRINUSE, "listen_port " + r.listenPort() + " is in use");
        } catch (IOException e) {
          throw new UapiException(UapiException.EIO, "cannot bind listen_port: " + e.getMessage());
        }
      }
      if (r.fwmark() != null) {
        try {
          device.configureFwmark(r.fwmark());
        } catch (IOException e) {
          throw new UapiException(UapiException.EIO, "cannot set fwmark: " + e.getMessage());
        }
      }
      if (r.privateKeySet()) {
        device.configurePrivateKey(r.privateKey());
      }
      if (r.replacePeers()) {
        device.configureRemoveAllPeers();
      }
      for (SetRequest.PeerChange p : r.peers()) {
        applyPeer(p);
      }
    }
  }

  private void applyPeer(SetRequest.PeerChange p) {
    if (p.publicKey().equals(device.configuredPublicKey())) {
      // As wireguard-go: a peer that is ourselves is ignored.
      LOG.log(Level.FINE, "ignoring a peer with the device's own public key");
      return;
    }
    if (p.remove()) {
      device.configureRemovePeer(p.publicKey());
      return;
    }
    if (!device.hasPeer(p.publicKey())) {
      if (p.updateOnly()) {
        return;
      }
      device.configurePeer(p.publicKey());
    }
    if (p.presharedKey() != null) {
      device.configurePresharedKey(p.publicKey(), p.presharedKey());
    }
    if (p.endpoint() != null) {
      device.configureEndpoint(p.publicKey(), p.endpoint());
    }
    if (p.replaceAllowedIps()) {
      device.configureClearAllowedIps(p.publicKey());
    }
    for (SetRequest.AllowedIpChange a : p.allowedIps()) {
      if (a.remove()) {
        device.configureRemoveAllowedIp(p.publicKey(), a.prefix());
      } else {
        device.configureAllowedIp(p.publicKey(), a.prefix());
      }
    }
    if (p.persistentKeepalive() != null) {
      device.configurePersistentKeepalive(p.publicKey(), p.persistentKeepalive());
    }
  }
}
