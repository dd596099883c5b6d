package dev.wiremesh.planner.topology;

import dev.wiremesh.planner.ipam.Addresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Renders an external peer's wg-quick file: its [Interface] with its addresses and a clearly marked
 * place for the user's own private key (the operator never has it), and a [Peer] per gateway node.
 *
 * <p>WireGuard routes each network to exactly one peer, so the mesh's pools (and, with
 * routePodCIDRs, every node's podCIDRs) go to the first gateway by name; further gateways carry
 * their own tunnel addresses. The preshared key, when there is one, is left as a marked placeholder
 * that names the Secret holding it, so this Secret never widens who can read the key.
 */
public final class WgQuickConfig {

  /** The marker users replace; tests and docs refer to it. */
  public static final String PRIVATE_KEY_PLACEHOLDER = "<REPLACE WITH THIS PEER'S PRIVATE KEY>";

  private WgQuickConfig() {}

  /**
   * @param meshName the mesh, for the header comment
   * @param pskSecret "namespace/name[key]" of the preshared key's Secret, or null when none
   */
  public static String render(
      String meshName,
      MeshSettings mesh,
      ExternalMember peer,
      List<NodeMember> nodes,
      String pskSecret) {
    List<NodeMember> gateways =
        nodes.stream()
            .filter(NodeMember::gateway)
            .sorted(Comparator.comparing(NodeMember::name))
            .toList();
    StringBuilder s = new StringBuilder();
    s.append("# wg-quick configuration for external peer \"")
        .append(peer.name())
        .append("\" of mesh \"")
        .append(meshName)
        .append("\", written by the WireMesh operator.\n");
    s.append("# Save as e.g. /etc/wireguard/")
        .append(mesh.interfaceName())
        .append(".conf, fill in the marked values, then: wg-quick up ")
        .append(mesh.interfaceName())
        .append('\n');
    s.append("\n[Interface]\n");
    s.append("# >>> Put this peer's own private key here: the one whose public key is ")
        .append(peer.publicKey())
        .append(".\n");
    s.append("# >>> The operator never sees private keys, so it cannot fill this in.\n");
    s.append("PrivateKey = ").append(PRIVATE_KEY_PLACEHOLDER).append('\n');
    s.append("Address = ")
        .append(
            String.join(", ", peer.addresses().stream().map(Addresses::canonicalNetwork).toList()))
        .append('\n');
    if (gateways.isEmpty()) {
      s.append("\n# No gateway node is ready yet; this file is rewritten when one is.\n");
    }
    int keepalive =
        peer.persistentKeepalive() != null
            ? peer.persistentKeepalive()
            : mesh.persistentKeepalive();
    for (int i = 0; i < gateways.size(); i++) {
      NodeMember g = gateways.get(i);
      List<String> allowed = new ArrayList<>();
      if (i == 0) {
        mesh.pools().forEach(p -> allowed.add(Addresses.canonicalNetwork(p)));
        if (mesh.routePodCIDRs()) {
          nodes.forEach(n -> n.podCIDRs().forEach(c -> allowed.add(Addresses.canonicalNetwork(c))));
        }
      } else {
        g.addresses().forEach(a -> allowed.add(Addresses.canonicalNetwork(a)));
      }
      s.append("\n[Peer]\n");
      s.append("# gateway node ").append(g.name()).append('\n');
      s.append("PublicKey = ").append(g.publicKey()).append('\n');
      if (pskSecret != null) {
        s.append("# >>> The preshared key is in Secret ").append(pskSecret).append(".\n");
        s.append("PresharedKey = <REPLACE WITH THE PRESHARED KEY>\n");
      }
      s.append("Endpoint = ").append(g.endpoint()).append('\n');
      s.append("AllowedIPs = ")
          .append(
              String.join(
                  ", ", allowed.stream().distinct().sorted(Addresses.NETWORK_ORDER).toList()))
          .append('\n');
      if (keepalive > 0) {
        s.append("PersistentKeepalive = ").append(keepalive).append('\n');
      }
    }
    return s.toString();
  }
}
