package dev.wiremesh.planner.topology;

import java.util.List;

/**
 * An external peer (a WireGuardPeer with a public key) with its allocated addresses.
 *
 * @param endpoint host:port or null (the peer connects in)
 * @param allowedIPs networks behind the peer
 * @param persistentKeepalive seconds; null takes the mesh's
 * @param presharedKey base64, or null; never logged
 */
public record ExternalMember(
    String name,
    String publicKey,
    String endpoint,
    List<String> addresses,
    List<String> allowedIPs,
    Integer persistentKeepalive,
    String presharedKey) {
  public ExternalMember {
    addresses = List.copyOf(addresses);
    allowedIPs = List.copyOf(allowedIPs);
  }

  @Override
  public String toString() {
    return "ExternalMember["
        + name
        + ", presharedKey="
        + (presharedKey == null ? "none" : "<redacted>")
        + "]";
  }
}
