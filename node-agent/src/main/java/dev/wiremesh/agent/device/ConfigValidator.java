package dev.wiremesh.agent.device;

import dev.wiremesh.agent.encryption.Policy;
import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.net.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a whole {@link DeviceConfig} before any of it is applied, so nothing is ever half-applied:
 * the first error names its field as a JSON path ({@code peers[2].allowedIPs[0]}) and what is
 * valid.
 */
public final class ConfigValidator {
  private static final Pattern IFNAME = Pattern.compile("^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,14}$");
  private static final Pattern HOST_PORT =
      Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?):([0-9]{1,5})$");

  private ConfigValidator() {}

  /** Parses and checks {@code c}; {@code own} is this node's public key (it cannot be a peer). */
  static ValidConfig validate(DeviceConfig c, NoisePublicKey own) throws ConfigException {
    return validate(c, List.of(own));
  }

  /**
   * Parses and checks {@code c}; {@code own} are this node's public keys (during a rotation, two),
   * none of which can be a peer.
   */
  static ValidConfig validate(DeviceConfig c, List<NoisePublicKey> own) throws ConfigException {
    checkShape(c);
    if (c.hash() == null || !c.hashMatches()) {
      throw new ConfigException(
          "hash", "does not match the content (see docs/agent-protocol.md, \"The config hash\")");
    }
    if (c.interfaceName() == null || !IFNAME.matcher(c.interfaceName()).matches()) {
      throw new ConfigException(
          "interfaceName",
          "must be 1-15 letters, digits, '_', '.' or '-', got '" + c.interfaceName() + "'");
    }
    if (c.listenPort() < 1 || c.listenPort() > 65535) {
      throw new ConfigException("listenPort", "must be 1-65535, got " + c.listenPort());
    }
    if (c.mtu() != 0 && (c.mtu() < 1280 || c.mtu() > 9000)) {
      throw new ConfigException("mtu", "must be 0 (automatic) or 1280-9000, got " + c.mtu());
    }
    List<IpPrefix> addresses = new ArrayList<>();
    for (int i = 0; i < c.addresses().size(); i++) {
      String a = c.addresses().get(i);
      if (a == null || !a.contains("/")) {
        throw new ConfigException(
            "addresses[" + i + "]",
            "must be an address with its prefix length, such as 10.100.0.1/16, got '" + a + "'");
      }
      addresses.add(prefix("addresses[" + i + "]", a));
    }
    Map<NoisePublicKey, ValidConfig.Peer> peers = new LinkedHashMap<>();
    for (int i = 0; i < c.peers().size(); i++) {
      String f = "peers[" + i + "]";
      PeerConfig p = c.peers().get(i);
      NoisePublicKey key;
      try {
        key = NoisePublicKey.fromBase64(p.publicKey());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            f + ".publicKey", "must be the base64 of 32 bytes, as wg pubkey prints");
      }
      if (own.contains(key)) {
        throw new ConfigException(f + ".publicKey", "is this node's own public key");
      }
      if (peers.containsKey(key)) {
        throw new ConfigException(f + ".publicKey", "appears twice");
      }
      PresharedKey psk = null;
      if (p.presharedKey() != null) {
        try {
          psk = PresharedKey.fromBase64(p.presharedKey());
        } catch (IllegalArgumentException e) {
          // Never repeat a secret in a message.
          throw new ConfigException(
              f + ".presharedKey", "must be the base64 of 32 bytes, as wg genpsk prints");
        }
      }
      Endpoint endpoint = p.endpoint() == null ? null : endpoint(f + ".endpoint", p.endpoint());
      List<IpPrefix> allowed = new ArrayList<>();
      for (int j = 0; j < p.allowedIPs().size(); j++) {
        allowed.add(prefix(f + ".allowedIPs[" + j + "]", p.allowedIPs().get(j)));
      }
      if (p.persistentKeepalive() < 0 || p.persistentKeepalive() > 65535) {
        throw new ConfigException(
            f + ".persistentKeepalive", "must be 0-65535 seconds, got " + p.persistentKeepalive());
      }
      NoisePublicKey previous = null;
      if (p.previousPublicKey() != null) {
        try {
          previous = NoisePublicKey.fromBase64(p.previousPublicKey());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(
              f + ".previousPublicKey", "must be the base64 of 32 bytes, as wg pubkey prints");
        }
        if (previous.equals(key)) {
          throw new ConfigException(
              f + ".previousPublicKey", "must differ from the peer's publicKey");
        }
      }
      peers.put(
          key,
          new ValidConfig.Peer(
              p, key, psk, endpoint, List.copyOf(allowed), p.persistentKeepalive(), previous));
    }
    Policy encryption = null;
    if (c.encryption() != null) {
      try {
        encryption = Policy.parse(c.encryption());
      } catch (Policy.InvalidPolicyException e) {
        throw new ConfigException("encryption." + e.field(), e.getMessage());
      }
    }
    return new ValidConfig(
        c, c.interfaceName(), List.copyOf(addresses), c.listenPort(), c.mtu(), peers, encryption);
  }

  /**
   * What the hash needs to be computed at all: no list holds a null where the operator always
   * writes a value, and no text holds a line break (the hash's canonical text is one line per
   * value). A hostile or broken client can send either.
   */
  static void checkShape(DeviceConfig c) throws ConfigException {
    text("interfaceName", c.interfaceName());
    texts("addresses", c.addresses());
    for (int i = 0; i < c.peers().size(); i++) {
      checkPeer("peers[" + i + "]", c.peers().get(i));
    }
    for (int i = 0; i < c.routes().size(); i++) {
      var r = c.routes().get(i);
      if (r == null) {
        throw new ConfigException("routes[" + i + "]", "must be a route, got null");
      }
      text("routes[" + i + "].to", r.to());
      text("routes[" + i + "].via", r.via());
      text("routes[" + i + "].src", r.src());
    }
    if (c.encryption() != null) {
      text("encryption.mode", c.encryption().mode());
      text("encryption.table", c.encryption().table());
      texts("encryption.apiServers", c.encryption().apiServers());
    }
  }

  /** The same for a delta: its peers, the keys it removes and the hash it results in. */
  public static void checkShape(ConfigDelta d) throws ConfigException {
    if (d.hash() == null) {
      throw new ConfigException("hash", "is required: the hash of the config the delta results in");
    }
    for (int i = 0; i < d.upsert().size(); i++) {
      checkPeer("upsert[" + i + "]", d.upsert().get(i));
    }
    texts("remove", d.remove());
  }

  private static void checkPeer(String f, PeerConfig p) throws ConfigException {
    if (p == null) {
      throw new ConfigException(f, "must be a peer, got null");
    }
    if (p.publicKey() == null) {
      throw new ConfigException(
          f + ".publicKey", "is required: the base64 of 32 bytes, as wg pubkey prints");
    }
    text(f + ".publicKey", p.publicKey());
    if (p.presharedKey() != null && p.presharedKey().indexOf('\n') >= 0) {
      // Never repeat a secret in a message.
      throw new ConfigException(f + ".presharedKey", "must not contain a line break");
    }
    text(f + ".endpoint", p.endpoint());
    texts(f + ".allowedIPs", p.allowedIPs());
    text(f + ".previousPublicKey", p.previousPublicKey());
  }

  private static void texts(String field, List<String> values) throws ConfigException {
    for (int i = 0; i < values.size(); i++) {
      String f = field + "[" + i + "]";
      if (values.get(i) == null) {
        throw new ConfigException(f, "must be a string, got null");
      }
      text(f, values.get(i));
    }
  }

  private static void text(String field, String value) throws ConfigException {
    if (value != null && value.indexOf('\n') >= 0) {
      throw new ConfigException(field, "must not contain a line break");
    }
  }

  private static IpPrefix prefix(String field, String text) throws ConfigException {
    try {
      return IpPrefix.parse(text == null ? "" : text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(field, e.getMessage());
    }
  }

  /** A numeric endpoint, or a DNS name resolved now (the CRD allows names). */
  private static Endpoint endpoint(String field, String text) throws ConfigException {
    try {
      return Endpoint.parse(text);
    } catch (IllegalArgumentException numeric) {
      var m = HOST_PORT.matcher(text);
      if (!m.matches()) {
        throw new ConfigException(field, numeric.getMessage());
      }
      int port = Integer.parseInt(m.group(3));
      if (port < 1 || port > 65535) {
        throw new ConfigException(field, "the port must be 1-65535, got " + port);
      }
      try {
        return Endpoint.of(new InetSocketAddress(InetAddress.getByName(m.group(1)), port));
      } catch (UnknownHostException e) {
        throw new ConfigException(field, "cannot resolve host name '" + m.group(1) + "'");
      }
    }
  }
}
