package dev.wiremesh.wireguard.uapi;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.net.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A whole {@code set=1} request, parsed and validated before anything is applied: an error in any
 * line rejects the request and leaves the device as it was (wireguard-go applies line by line and
 * can leave half a request behind; we do not).
 */
public record SetRequest(
    NoisePrivateKey privateKey,
    boolean privateKeySet,
    Integer listenPort,
    Integer fwmark,
    boolean replacePeers,
    List<PeerChange> peers) {

  /** The changes to one peer, in the order wg(8) sends them. */
  public record PeerChange(
      NoisePublicKey publicKey,
      boolean remove,
      boolean updateOnly,
      PresharedKey presharedKey,
      Endpoint endpoint,
      Integer persistentKeepalive,
      boolean replaceAllowedIps,
      List<AllowedIpChange> allowedIps) {}

  /** One allowed_ip line: add the prefix, or with a leading '-' remove it. */
  public record AllowedIpChange(IpPrefix prefix, boolean remove) {}

  /**
   * Parses the lines of a set request (without the {@code set=1} line and the blank line).
   *
   * @throws UapiException EPROTO for a line without '=', EINVAL for an unknown key or a bad value
   */
  public static SetRequest parse(List<String> lines) throws UapiException {
    NoisePrivateKey privateKey = null;
    boolean privateKeySet = false;
    Integer listenPort = null;
    Integer fwmark = null;
    boolean replacePeers = false;
    List<PeerChange> peers = new ArrayList<>();
    PeerBuilder peer = null;
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new UapiException(UapiException.EPROTO, "line without '=': " + abbreviate(line));
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      if (key.equals("public_key")) {
        if (peer != null) {
          peers.add(peer.build());
        }
        peer = new PeerBuilder(parsePublicKey(value));
        continue;
      }
      if (peer == null) {
        switch (key) {
          case "private_key" -> {
            privateKeySet = true;
            privateKey = parsePrivateKey(value);
          }
          case "listen_port" -> listenPort = parseInt(key, value, 0, 65535);
          case "fwmark" -> fwmark = (int) parseLong(key, value, 0, 0xffffffffL);
          case "replace_peers" -> replacePeers = parseTrue(key, value);
          default ->
              throw invalid(
                  "unknown device key '"
                      + abbreviate(key)
                      + "'"
                      + (PEER_KEYS.contains(key)
                          ? " (a peer key must follow a public_key line)"
                          : ""));
        }
      } else {
        switch (key) {
          case "remove" -> peer.remove = parseTrue(key, value);
          case "update_only" -> peer.updateOnly = parseTrue(key, value);
          case "preshared_key" -> peer.presharedKey = parsePresharedKey(value);
          case "endpoint" -> peer.endpoint = parseEndpoint(value);
          case "persistent_keepalive_interval" ->
              peer.persistentKeepalive = parseInt(key, value, 0, 65535);
          case "replace_allowed_ips" -> peer.replaceAllowedIps = parseTrue(key, value);
          case "allowed_ip" -> peer.allowedIps.add(parseAllowedIp(value));
          case "protocol_version" -> {
            if (!value.equals("1")) {
              throw invalid("protocol_version must be 1, got '" + abbreviate(value) + "'");
            }
          }
          default -> throw invalid("unknown peer key '" + abbreviate(key) + "'");
        }
      }
    }
    if (peer != null) {
      peers.add(peer.build());
    }
    return new SetRequest(privateKey, privateKeySet, listenPort, fwmark, replacePeers, peers);
  }

  private static final List<String> PEER_KEYS =
      List.of(
          "remove",
          "update_only",
          "preshared_key",
          "endpoint",
          "persistent_keepalive_interval",
          "replace_allowed_ips",
          "allowed_ip",
          "protocol_version");

  private static final class PeerBuilder {
    final NoisePublicKey publicKey;
    boolean remove;
    boolean updateOnly;
    PresharedKey presharedKey;
    Endpoint endpoint;
    Integer persistentKeepalive;
    boolean replaceAllowedIps;
    final List<AllowedIpChange> allowedIps = new ArrayList<>();

    PeerBuilder(NoisePublicKey publicKey) {
      this.publicKey = publicKey;
    }

    PeerChange build() {
      return new PeerChange(
          publicKey,
          remove,
          updateOnly,
          presharedKey,
          endpoint,
          persistentKeepalive,
          replaceAllowedIps,
          List.copyOf(allowedIps));
    }
  }

  private static UapiException invalid(String message) {
    return new UapiException(UapiException.EINVAL, message);
  }

  private static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  private static boolean parseTrue(String key, String value) throws UapiException {
    if (!value.equals("true")) {
      throw invalid(key + " takes only the value 'true', got '" + abbreviate(value) + "'");
    }
    return true;
  }

  private static int parseInt(String key, String value, int min, int max) throws UapiException {
    return (int) parseLong(key, value, min, max);
  }

  private static long parseLong(String key, String value, long min, long max) throws UapiException {
    try {
      if (value.isEmpty() || value.length() > 11 || !value.chars().allMatch(Character::isDigit)) {
        throw new NumberFormatException();
      }
      long v = Long.parseLong(value);
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw invalid(
          key
              + " must be a number from "
              + min
              + " to "
              + max
              + ", got '"
              + abbreviate(value)
              + "'");
    }
  }

  private static NoisePublicKey parsePublicKey(String hex) throws UapiException {
    try {
      return NoisePublicKey.fromHex(hex);
    } catch (IllegalArgumentException e) {
      throw invalid("public_key must be 64 lowercase hex characters");
    }
  }

  private static NoisePrivateKey parsePrivateKey(String hex) throws UapiException {
    try {
      NoisePrivateKey k = NoisePrivateKey.fromHex(hex);
      return hex.chars().allMatch(c -> c == '0') ? null : k;
    } catch (IllegalArgumentException e) {
      // The value is a secret: the message never repeats it.
      throw invalid("private_key must be 64 lowercase hex characters");
    }
  }

  private static PresharedKey parsePresharedKey(String hex) throws UapiException {
    try {
      return PresharedKey.fromHex(hex);
    } catch (IllegalArgumentException e) {
      throw invalid("preshared_key must be 64 lowercase hex characters");
    }
  }

  private static Endpoint parseEndpoint(String value) throws UapiException {
    try {
      return Endpoint.parse(value);
    } catch (IllegalArgumentException e) {
      throw invalid("endpoint: " + e.getMessage());
    }
  }

  private static AllowedIpChange parseAllowedIp(String value) throws UapiException {
    boolean remove = value.startsWith("-");
    String text = remove ? value.substring(1) : value;
    try {
      if (!text.contains("/")) {
        throw new IllegalArgumentException("'" + abbreviate(text) + "' has no /prefix-length");
      }
      return new AllowedIpChange(IpPrefix.parse(text.toLowerCase(Locale.ROOT)), remove);
    } catch (IllegalArgumentException e) {
      throw invalid("allowed_ip: " + e.getMessage());
    }
  }
}
