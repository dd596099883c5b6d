package dev.wiremesh.agent.device;

import dev.wiremesh.agent.encryption.EncryptionEnforcer;
import dev.wiremesh.agent.keys.NodeKeys;
import dev.wiremesh.agent.location.LocationRouting;
import dev.wiremesh.agent.location.ViaRoute;
import dev.wiremesh.agent.location.ViaRoutes;
import dev.wiremesh.agent.state.StateStore;
import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.EncryptionStatus;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.device.Device;
import dev.wiremesh.wireguard.device.DeviceSnapshot;
import dev.wiremesh.wireguard.net.LinuxBind;
import dev.wiremesh.wireguard.offload.Offload;
import dev.wiremesh.wireguard.offload.OffloadState;
import dev.wiremesh.wireguard.offload.Offloads;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.LinuxTun;
import dev.wiremesh.wireguard.uapi.UapiHandler;
import dev.wiremesh.wireguard.uapi.UapiServer;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns the node's WireGuard interface and applies {@link DeviceConfig}s to it declaratively, by
 * difference: peers added, changed and removed one by one, so sessions of unchanged peers are never
 * dropped; a listen-port change rebinds without losing peers. A config is validated whole before
 * any of it is applied. The applied config is persisted and restored at start. Thread-safe: every
 * change holds the manager's lock.
 */
public final class DeviceManager implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DeviceManager.class.getName());

  /** The outcome of an apply, for the metrics. */
  public record Applied(DeviceConfig config, int added, int changed, int removed) {}

  /** A delta whose base is not what the agent holds (the operator then sends the full config). */
  public static final class StaleBaseException extends Exception {
    public StaleBaseException(String held, String base) {
      super(
          "baseHash "
              + base
              + " is not the applied config's hash "
              + (held == null ? "(none)" : held));
    }
  }

  private NodeKeys keys;
  private final StateStore store;
  private final LinkSetup link;
  private final LocationRouting routing;
  private final Path uapiDir;
  private final EncryptionEnforcer encryption;
  private Device device;
  private UapiServer uapi;
  private Offloads offloads;
  private ValidConfig applied;

  public DeviceManager(
      NodeKeys keys,
      StateStore store,
      LinkSetup link,
      Path uapiDir,
      EncryptionEnforcer encryption) {
    this(keys, store, link, LocationRouting.NONE, uapiDir, encryption);
  }

  /** With {@code routing} for a location leader's forwarding and Direct mode's routes. */
  public DeviceManager(
      NodeKeys keys,
      StateStore store,
      LinkSetup link,
      LocationRouting routing,
      Path uapiDir,
      EncryptionEnforcer encryption) {
    this.encryption = encryption;
    this.keys = keys;
    this.store = store;
    this.link = link;
    this.routing = routing;
    this.uapiDir = uapiDir;
  }

  /** The node's current public key. */
  public synchronized NoisePublicKey publicKey() {
    return keys.current().publicKey();
  }

  public synchronized NodeKeys keys() {
    return keys;
  }

  /**
   * Moves the device to the keys of the next rotation step: a next key is added as the second
   * static key (answered), a commit promotes it (the old one still answered), a finish drops the
   * previous one (zeroed). Sessions go on through every step.
   */
  public synchronized void setKeys(NodeKeys next) {
    NodeKeys was = keys;
    keys = next;
    if (device == null) {
      return;
    }
    var rotation = device.keyRotation();
    if (!was.current().publicKey().equals(next.current().publicKey())) {
      if (was.next() == null || !was.next().publicKey().equals(next.current().publicKey())) {
        throw new IllegalStateException("only a prepared next key can become the current key");
      }
      rotation.promoteSecondKey();
    }
    if (next.second() == null) {
      rotation.dropSecondKey();
    } else if (next.next() != null) {
      rotation.addSecondKey(next.next());
    }
  }

  /** Restores the persisted config, if there is one; true if it did. */
  public synchronized boolean restore() throws IOException, ConfigException {
    Optional<DeviceConfig> saved = store.load();
    if (saved.isEmpty()) {
      return false;
    }
    apply(saved.get());
    LOG.info("restored the applied configuration " + saved.get().hash());
    return true;
  }

  /** True once a config is applied: the interface exists and carries it. */
  public synchronized boolean ready() {
    return applied != null && device != null;
  }

  public synchronized String appliedHash() {
    return applied == null ? null : applied.source().hash();
  }

  /** Applies a delta on top of the applied config (409 when its base is not what we hold). */
  public synchronized Applied apply(ConfigDelta delta)
      throws StaleBaseException, ConfigException, IOException {
    ConfigValidator.checkShape(delta);
    String held = appliedHash();
    if (held == null || !held.equals(delta.baseHash())) {
      throw new StaleBaseException(held, delta.baseHash());
    }
    DeviceConfig next = applied.source().apply(delta);
    if (!next.hashMatches()) {
      throw new ConfigException("hash", "the delta's result does not hash to " + delta.hash());
    }
    return apply(next);
  }

  /**
   * Validates the whole config, then applies what differs. The encryption policy goes first, so
   * that with Required the rules are in place before a new route is; a table that cannot be
   * installed does not stop the tunnels (they protect what they can) and shows in the status.
   */
  public synchronized Applied apply(DeviceConfig config) throws ConfigException, IOException {
    ValidConfig next = ConfigValidator.validate(config, keys.publicKeys());
    List<ViaRoute> viaRoutes;
    try {
      viaRoutes = ViaRoutes.parse(config.routes());
    } catch (ViaRoutes.InvalidRoute e) {
      throw new ConfigException(e.field(), e.getMessage());
    }
    List<IpPrefix> routes = new ArrayList<>();
    for (ValidConfig.Peer p : next.peers().values()) {
      routes.addAll(p.allowedIps());
    }
    encryption.apply(
        next.encryption(), next.interfaceName(), next.listenPort(), next.addresses(), routes);
    ValidConfig prev = applied;
    if (device == null || !device.name().equals(next.interfaceName())) {
      recreate(next.interfaceName());
      prev = null;
    }
    try {
      if (prev == null || prev.listenPort() != next.listenPort()) {
        device.configureListenPort(next.listenPort());
      }
    } catch (BindException e) {
      throw new ConfigException(
          "listenPort", "port " + next.listenPort() + " is in use on this node");
    }
    int added = 0;
    int changed = 0;
    int removed = 0;
    synchronized (device.configLock()) {
      Map<NoisePublicKey, ValidConfig.Peer> old =
          prev == null ? Map.of() : new java.util.HashMap<>(prev.peers());
      // A peer whose key rotated is re-keyed in place (its sessions go on), not removed and added.
      for (ValidConfig.Peer p : next.peers().values()) {
        NoisePublicKey from = p.previousPublicKey();
        if (from != null
            && old.containsKey(from)
            && !old.containsKey(p.publicKey())
            && !next.peers().containsKey(from)) {
          device.keyRotation().rekeyPeer(from, p.publicKey());
          old.put(p.publicKey(), old.remove(from));
        }
      }
      for (NoisePublicKey k : old.keySet()) {
        if (!next.peers().containsKey(k)) {
          device.configureRemovePeer(k);
          removed++;
        }
      }
      for (ValidConfig.Peer p : next.peers().values()) {
        ValidConfig.Peer was = old.get(p.publicKey());
        if (was != null && sameSettings(was, p)) {
          continue; // unchanged: its session stays as it is
        }
        if (was == null) {
          device.configurePeer(p.publicKey());
          added++;
        } else {
          changed++;
        }
        device.configurePresharedKey(p.publicKey(), p.psk());
        if (p.endpoint() != null) {
          device.configureEndpoint(p.publicKey(), p.endpoint());
        }
        if (was == null || !was.allowedIps().equals(p.allowedIps())) {
          device.configureClearAllowedIps(p.publicKey());
          for (IpPrefix a : p.allowedIps()) {
            device.configureAllowedIp(p.publicKey(), a);
          }
        }
        if (was == null || was.persistentKeepalive() != p.persistentKeepalive()) {
          device.configurePersistentKeepalive(p.publicKey(), p.persistentKeepalive());
        }
        // A peer with a keepalive moved to another endpoint (NAT traversal published where it is
        // seen from outside): contact it now, so that both ends, given each other's endpoint in
        // one pass, send at once and their NATs' holes meet (docs/nat-traversal.md).
        if (was != null
            && was.persistentKeepalive() > 0
            && p.persistentKeepalive() > 0
            && p.endpoint() != null
            && !Objects.equals(was.source().endpoint(), p.source().endpoint())) {
          device.sendKeepalive(p.publicKey());
        }
      }
    }
    int mtu = next.mtu() != 0 ? next.mtu() : UplinkMtu.automatic();
    link.reconcile(next.interfaceName(), mtu, next.addresses(), routes);
    routing.apply(next.interfaceName(), config.forwarding(), viaRoutes);
    applied = next;
    store.save(next.source());
    return new Applied(next.source(), added, changed, removed);
  }

  /** Everything but the keys is as it was (the key may have been re-keyed in place). */
  private static boolean sameSettings(ValidConfig.Peer was, ValidConfig.Peer p) {
    return was.publicKey().equals(p.publicKey())
        && Objects.equals(was.psk(), p.psk())
        && Objects.equals(was.source().endpoint(), p.source().endpoint())
        && was.allowedIps().equals(p.allowedIps())
        && was.persistentKeepalive() == p.persistentKeepalive();
  }

  private void recreate(String ifname) throws IOException {
    closeDevice();
    Offloads o = Offloads.fromEnvironment();
    LinuxTun tun = LinuxTun.create(ifname, o);
    Device d = new Device(tun, new LinuxBind(o), Clock.system(), ProtocolTiming.standard());
    try {
      d.start();
      LOG.info(tun.name() + ": " + o.describe());
      d.configurePrivateKey(keys.current());
      if (keys.second() != null) {
        d.keyRotation().addSecondKey(keys.second());
      }
      uapi = UapiServer.start(uapiDir, tun.name(), new UapiHandler(d));
    } catch (IOException e) {
      d.close();
      throw e;
    }
    device = d;
    offloads = o;
    applied = null;
  }

  /** The kernel offloads the data plane negotiated, by offload (empty before the device exists). */
  public synchronized Map<Offload, OffloadState> offloads() {
    return device == null || offloads == null ? Map.of() : offloads.snapshot();
  }

  /** The device's state for GET /v1/status. */
  public synchronized DeviceStatus status() {
    String own = publicKey().toBase64();
    if (device == null) {
      return new DeviceStatus(null, own, 0, List.of(), encryption.status());
    }
    DeviceSnapshot s = device.snapshot();
    boolean rotating = keys.second() != null;
    List<PeerStatus> peers = new ArrayList<>();
    for (DeviceSnapshot.PeerSnapshot p : s.peers()) {
      String used = null;
      if (rotating && device.hasPeer(p.publicKey())) {
        used = device.keyRotation().keyUsedBy(p.publicKey()).map(k -> k.toBase64()).orElse(null);
      }
      peers.add(
          new PeerStatus(
              p.publicKey().toBase64(),
              p.endpoint() == null ? null : p.endpoint().toString(),
              p.lastHandshake() == null ? 0 : p.lastHandshake().getEpochSecond(),
              p.rxBytes(),
              p.txBytes(),
              used,
              p.endpointSeen() == null ? null : p.endpointSeen().getEpochSecond()));
    }
    return new DeviceStatus(appliedHash(), own, s.listenPort(), peers, encryption.status());
  }

  /** The must-encrypt enforcement: what is enforced, the drop counter, the rules. */
  public EncryptionStatus encryption() {
    return encryption.status();
  }

  /** The device's drop counters by reason (empty before the device exists). */
  public synchronized Map<String, Long> drops() {
    return device == null ? Map.of() : device.drops().snapshot();
  }

  /** Handshake events by name (initiation sent, response sent, ...), empty before the device. */
  public synchronized Map<String, Long> handshakeEvents() {
    return device == null ? Map.of() : device.events().snapshot();
  }

  /** Handshakes completed since the device was created. */
  public synchronized long handshakesCompleted() {
    return device == null ? 0 : device.handshakesCompleted();
  }

  public synchronized Optional<Device> device() {
    return Optional.ofNullable(device);
  }

  private void closeDevice() {
    if (uapi != null) {
      uapi.close();
      uapi = null;
    }
    if (device != null) {
      device.close();
      device = null;
    }
  }

  @Override
  public synchronized void close() {
    closeDevice();
  }

  @Override
  public String toString() {
    return "DeviceManager["
        + keys.current().publicKey()
        + ", applied="
        + Objects.requireNonNullElse(appliedHash(), "none")
        + "]";
  }

  static void logFailure(String what, Exception e) {
    LOG.log(Level.WARNING, what + ": " + e.getMessage());
  }
}
