package dev.wiremesh.api.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The content hash of a {@link DeviceConfig}, computed the same way by operator and agent: SHA-256
 * over a canonical text, as {@code "sha256:" + hex}. The canonical text (docs/agent-protocol.md) is
 * one {@code key=value} line per field, in a fixed order: interface, listen_port, mtu, each address
 * (sorted), with an encryption policy its mode, table and each API server (sorted), then per peer
 * sorted by public key: public_key, preshared_key (empty for none), endpoint (empty for none),
 * persistent_keepalive, each allowed_ip (sorted), previous_public_key (only when set). Addresses
 * and CIDRs are compared as written but lower-cased: the operator writes canonical forms.
 */
public final class ConfigHash {
  private ConfigHash() {}

  static final String VERSION_LINE = "wiremesh-device-config-v1";

  public static String of(DeviceConfig c) {
    StringBuilder b = new StringBuilder(256);
    line(b, VERSION_LINE, null);
    line(b, "interface", c.interfaceName());
    line(b, "listen_port", Integer.toString(c.listenPort()));
    line(b, "mtu", Integer.toString(c.mtu()));
    for (String a : sorted(c.addresses())) {
      line(b, "address", a);
    }
    // Only when there is a policy: the text (so the hash) of a config without one is what agents
    // that predate the policy compute, and such an agent refuses a config with one (its hash
    // cannot match) instead of silently not enforcing it.
    EncryptionPolicy policy = c.encryption();
    if (policy != null) {
      line(b, "encryption", policy.mode());
      line(b, "encryption_table", policy.table());
      for (String s : sorted(policy.apiServers())) {
        line(b, "api_server", s);
      }
    }
    List<PeerConfig> peers = new ArrayList<>(c.peers());
    peers.sort(Comparator.comparing(PeerConfig::publicKey));
    for (PeerConfig p : peers) {
      line(b, "public_key", p.publicKey());
      line(b, "preshared_key", p.presharedKey() == null ? "" : p.presharedKey());
      line(b, "endpoint", p.endpoint() == null ? "" : p.endpoint().toLowerCase(Locale.ROOT));
      line(b, "persistent_keepalive", Integer.toString(p.persistentKeepalive()));
      for (String a : sorted(p.allowedIPs())) {
        line(b, "allowed_ip", a);
      }
      // Only while the peer's key rotates, so the hashes of every other config stay as they were.
      if (p.previousPublicKey() != null) {
        line(b, "previous_public_key", p.previousPublicKey());
      }
    }
    // Written only when set, so that a full mesh node's config hashes as it did before them.
    if (c.forwarding()) {
      line(b, "forwarding", "true");
    }
    List<String> routes = new ArrayList<>();
    for (RouteConfig r : c.routes()) {
      routes.add(r.to() + " via " + r.via() + (r.src() == null ? "" : " src " + r.src()));
    }
    for (String r : sorted(routes)) {
      line(b, "route", r);
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static List<String> sorted(List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    for (String v : values) {
      out.add(v.toLowerCase(Locale.ROOT));
    }
    out.sort(null);
    return out;
  }

  private static void line(StringBuilder b, String key, String value) {
    if (value != null && (value.indexOf('\n') >= 0)) {
      throw new IllegalArgumentException(key + " must not contain a line break");
    }
    b.append(key);
    if (value != null) {
      b.append('=').append(value);
    }
    b.append('\n');
  }
}
