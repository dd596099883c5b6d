package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/** What a mesh should be: its address pools, port, MTU, interface, and which nodes take part. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.externalPeerPools) || self.externalPeerPools.all(e, !isCIDR(e) ||"
            + " self.addressPools.exists(p, isCIDR(p) && cidr(p).containsCIDR(e)"
            + " && cidr(e).prefixLength() > cidr(p).prefixLength()))",
    message =
        "externalPeerPools: each must lie inside the addressPools entry of its address family and"
            + " be smaller than it (the nodes get their addresses from the rest)")
public class WireGuardMeshSpec {
  @Required
  @Size(min = 1, max = 2)
  @ValidationRule(
      value = "self.all(p, isCIDR(p))",
      message = "addressPools: every entry must be a CIDR such as 10.100.0.0/16 or fd00:100::/64")
  @JsonPropertyDescription(
      "The networks tunnel addresses are allocated from: one IPv4 and/or one IPv6 CIDR, for example"
          + " [\"10.100.0.0/16\", \"fd00:100::/64\"]. Every node and external peer gets one address"
          + " from each pool, external peers from the part externalPeerPools reserves.")
  private List<@Size(max = 43) String> addressPools = new ArrayList<>();

  @Size(max = 2)
  @ValidationRule(
      value = "self.all(p, isCIDR(p))",
      message =
          "externalPeerPools: every entry must be a CIDR such as 10.100.255.0/24 or"
              + " fd00:100::ffff:ffff:ffff:0/112")
  @ValidationRule(
      value = "self.all(p, self.exists_one(q, q.contains(':') == p.contains(':')))",
      message = "externalPeerPools: at most one IPv4 and one IPv6 CIDR")
  @JsonPropertyDescription(
      "Where external peers get their tunnel addresses: per address family one CIDR inside the"
          + " addressPools entry of that family and smaller than it. A family not listed (or the"
          + " field absent) gets the last /24 of the IPv4 pool and the last /112 of the IPv6 pool"
          + " (the last quarter of a pool smaller than a /22 or a /110). Nodes never get an"
          + " address from it. Every node that is not a gateway routes the whole pool to its"
          + " gateway ahead of time, so a new external peer changes only the gateways'"
          + " configurations. External peers that already hold an address outside it keep it.")
  private List<@Size(max = 43) String> externalPeerPools;

  @Default("51820")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("The UDP port every node's WireGuard interface listens on (1-65535).")
  private Integer listenPort;

  @Default("0")
  @ValidationRule(
      value = "self == 0 || (self >= 1280 && self <= 9000)",
      message = "mtu must be 0 (the node's uplink MTU minus 80) or between 1280 and 9000")
  @JsonPropertyDescription(
      "The tunnel interface's MTU: 0 means the node's uplink MTU minus 80 (WireGuard's overhead over"
          + " IPv6); otherwise 1280-9000.")
  private Integer mtu;

  @Default("wm0")
  @Pattern("^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,14}$")
  @JsonPropertyDescription(
      "The name of the WireGuard interface on every node: 1-15 letters, digits, '_', '.' or '-'.")
  private String interfaceName;

  @JsonPropertyDescription(
      "The nodes that take part in the mesh (a label selector). Empty or absent selects every node.")
  private LabelSelector nodeSelector;

  @JsonPropertyDescription(
      "Among the selected nodes, those that external peers connect to. Absent means every selected"
          + " node.")
  private LabelSelector gatewaySelector;

  @Default("0")
  @Min(0)
  @Max(65535)
  @JsonPropertyDescription(
      "Seconds between keepalives on every tunnel of the mesh, for peers behind NAT; 0 turns them"
          + " off. At most 65535.")
  private Integer persistentKeepalive;

  @Default("false")
  @JsonPropertyDescription(
      "Route each node's pod CIDRs (Node.spec.podCIDRs) through the mesh, so pods reach pods on"
          + " other nodes over WireGuard.")
  private Boolean routePodCIDRs;

  @JsonPropertyDescription(
      "How the nodes are connected: mode FullMesh (the default) or Locations, with locationLabel"
          + " and intraLocation. Changing it is applied as a difference on every node, without"
          + " an outage of the tunnels that stay.")
  private MeshTopology topology;

  @Default("Preferred")
  @JsonPropertyDescription(
      "Preferred (default): traffic between members goes through the tunnels when they are up."
          + " Required: every node's agent installs nftables rules (its own table, wiremesh-<mesh>)"
          + " that drop packets to and from the mesh's protected networks (tunnel addresses, routed"
          + " pod CIDRs, external peers' networks) unless they pass through the WireGuard"
          + " interface; the rules stay when the agent stops (fail closed). The WireGuard port, the"
          + " agent's API and the Kubernetes API server are always exempt. See docs/encryption.md.")
  private Encryption encryption;

  @JsonPropertyDescription(
      "Rotation of the nodes' WireGuard keys: how often (absent: only on demand, with the"
          + " wiremesh.dev/rotate-key annotation on a node's WireGuardPeer) and how long gateways"
          + " still answer a previous key for external peers.")
  private KeyRotationSpec keyRotation;

  @JsonPropertyDescription(
      "NAT traversal: mode Auto (the default) publishes a node behind NAT at the public address its"
          + " packets come from and relays pairs without a direct path through a reachable node"
          + " (relays: Node names in order of preference; default the gateways); mode Off uses the"
          + " advertised endpoints only. See docs/nat-traversal.md.")
  private NatTraversal natTraversal;

  public NatTraversal getNatTraversal() {
    return natTraversal;
  }

  public void setNatTraversal(NatTraversal natTraversal) {
    this.natTraversal = natTraversal;
  }

  /** NAT traversal with its defaults applied (absent: Auto). */
  public NatTraversal effectiveNatTraversal() {
    return natTraversal == null ? new NatTraversal() : natTraversal;
  }

  public KeyRotationSpec getKeyRotation() {
    return keyRotation;
  }

  public void setKeyRotation(KeyRotationSpec keyRotation) {
    this.keyRotation = keyRotation;
  }

  public List<String> getAddressPools() {
    return addressPools;
  }

  public void setAddressPools(List<String> addressPools) {
    this.addressPools = addressPools;
  }

  public List<String> getExternalPeerPools() {
    return externalPeerPools;
  }

  public void setExternalPeerPools(List<String> externalPeerPools) {
    this.externalPeerPools = externalPeerPools;
  }

  public Integer getListenPort() {
    return listenPort;
  }

  public void setListenPort(Integer listenPort) {
    this.listenPort = listenPort;
  }

  public Integer getMtu() {
    return mtu;
  }

  public void setMtu(Integer mtu) {
    this.mtu = mtu;
  }

  public String getInterfaceName() {
    return interfaceName;
  }

  public void setInterfaceName(String interfaceName) {
    this.interfaceName = interfaceName;
  }

  public LabelSelector getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(LabelSelector nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public LabelSelector getGatewaySelector() {
    return gatewaySelector;
  }

  public void setGatewaySelector(LabelSelector gatewaySelector) {
    this.gatewaySelector = gatewaySelector;
  }

  public Integer getPersistentKeepalive() {
    return persistentKeepalive;
  }

  public void setPersistentKeepalive(Integer persistentKeepalive) {
    this.persistentKeepalive = persistentKeepalive;
  }

  public Boolean getRoutePodCIDRs() {
    return routePodCIDRs;
  }

  public void setRoutePodCIDRs(Boolean routePodCIDRs) {
    this.routePodCIDRs = routePodCIDRs;
  }

  public MeshTopology getTopology() {
    return topology;
  }

  public void setTopology(MeshTopology topology) {
    this.topology = topology;
  }

  /** The topology with its defaults applied (absent: a full mesh). */
  public MeshTopology effectiveTopology() {
    return topology == null ? new MeshTopology() : topology;
  }

  public Encryption getEncryption() {
    return encryption;
  }

  public void setEncryption(Encryption encryption) {
    this.encryption = encryption;
  }

  /** The encryption policy with its default applied. */
  public Encryption effectiveEncryption() {
    return encryption == null ? Encryption.Preferred : encryption;
  }

  /** The listen port with its default applied (as the API server would). */
  public int effectiveListenPort() {
    return listenPort == null ? 51820 : listenPort;
  }

  public int effectiveMtu() {
    return mtu == null ? 0 : mtu;
  }

  public String effectiveInterfaceName() {
    return interfaceName == null ? "wm0" : interfaceName;
  }

  public int effectivePersistentKeepalive() {
    return persistentKeepalive == null ? 0 : persistentKeepalive;
  }

  public boolean effectiveRoutePodCIDRs() {
    return Boolean.TRUE.equals(routePodCIDRs);
  }
}
