package dev.wiremesh.e2e.localmesh;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NAT in front of one local-mesh node, as a home router or a cloud NAT gateway would be: its own
 * network namespace ({@code <prefix>-nat<i>}) between the node's namespace and the bridge.
 *
 * <pre>
 *   node-i namespace               NAT namespace                      bridge
 *   eth0 100.x.y.(4i+2)/30 ─── lan0 100.x.y.(4i+1)/30   eth0 &lt;subnet&gt;.(10+i)/24 ─── other nodes
 * </pre>
 *
 * <p>The NAT holds the bridge address the node would have had (its <em>public</em> address); the
 * node holds a private address on the link behind it, and that is all the node sees of itself: its
 * agent advertises the private address, its Node's InternalIP is the private address, as on a real
 * NATed machine. The NAT masquerades the node's IPv4 (no port forwarding) and lets in only replies
 * to what left ({@code ct state established,related}); everything else arriving on the bridge side
 * is dropped and counted ({@link #unsolicitedDropped}). IPv6 is not translated and not forwarded.
 *
 * <p>One exception stands in for the control plane's path to a node, which on a real cluster does
 * not depend on the node being reachable on its WireGuard port: the host (where the API server, the
 * operator and the kubelet's probes run) reaches the node's agent API and management port on the
 * private address, through a host route via the NAT's public address. Nothing else from the bridge
 * reaches the private address: the other nodes' packets to it are dropped.
 */
public final class NatNamespace {

  /** The nftables table in the NAT's namespace. */
  static final String TABLE = "wiremesh_local_nat";

  private static final Pattern PACKETS = Pattern.compile("packets (\\d+)");

  private final Network network;
  private final int index;
  private final String linkBase;
  private NatKind kind;

  private NatNamespace(Network network, int index, NatKind kind) {
    if (index < 1 || index > 63) {
      throw new IllegalArgumentException("a NATed node's index must be 1-63: " + index);
    }
    this.network = network;
    this.index = index;
    this.kind = kind;
    // A /30 per node in the shared address space of carrier-grade NATs (RFC 6598), distinct per
    // bridge subnet so that two meshes' host routes do not collide.
    String[] o = network.subnet().split("\\.");
    this.linkBase = "100." + (64 + Integer.parseInt(o[1]) % 64) + "." + o[2] + ".";
  }

  /** Creates the NAT's namespace on the bridge, the node's namespace behind it, and the rules. */
  static NatNamespace create(Network network, int index, NatKind kind) {
    NatNamespace nat = new NatNamespace(network, index, kind);
    nat.build();
    return nat;
  }

  /** The NAT namespace's name for node {@code i} of a mesh with {@code prefix}. */
  static String namespace(String prefix, int i) {
    return prefix + "-nat" + i;
  }

  /** The NAT's namespace. */
  public String namespace() {
    return namespace(network.prefix(), index);
  }

  /** The namespace of the node behind this NAT. */
  public String nodeNamespace() {
    return network.namespace(index);
  }

  /** The NAT's address on the bridge: the source address the others see the node's packets from. */
  public String publicAddress() {
    return network.address(index);
  }

  /**
   * The node's own address on the link behind the NAT: what it advertises, unreachable to others.
   */
  public String privateAddress() {
    return linkBase + (4 * index + 2);
  }

  /** The NAT's address on the private link: the node's default gateway. */
  public String insideAddress() {
    return linkBase + (4 * index + 1);
  }

  public synchronized NatKind kind() {
    return kind;
  }

  private void build() {
    String nat = namespace();
    String node = nodeNamespace();
    network.join(nat, index);
    Sh.run(Sh.inNetns(nat, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
    Sh.run("ip", "netns", "add", node);
    Sh.run("ip", "-n", node, "link", "set", "lo", "up");
    Sh.run(
        "ip", "-n", nat, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns",
        node);
    Sh.run("ip", "-n", nat, "addr", "add", insideAddress() + "/30", "dev", "lan0");
    Sh.run("ip", "-n", nat, "link", "set", "lan0", "up");
    Sh.run("ip", "-n", node, "addr", "add", privateAddress() + "/30", "dev", "eth0");
    Sh.run("ip", "-n", node, "link", "set", "eth0", "up");
    Sh.run("ip", "-n", node, "route", "add", "default", "via", insideAddress());
    Sh.run(
        "ip",
        "route",
        "replace",
        privateAddress() + "/32",
        "via",
        publicAddress(),
        "dev",
        network.bridge());
    Sh.run(Sh.inNetns(nat, "nft", ruleset()));
  }

  private String ruleset() {
    return """
        table inet %1$s {
          counter unsolicited {}
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            %2$s
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            iifname "lan0" oifname "eth0" meta nfproto ipv4 accept
            iifname "eth0" oifname "lan0" ip saddr %3$s tcp dport { %4$d, %5$d } accept
            iifname "eth0" meta nfproto ipv4 counter name "unsolicited" drop
          }
          chain input {
            type filter hook input priority filter; policy drop;
            ct state established,related accept
            iifname { "lo", "lan0" } accept
            iifname "eth0" meta nfproto ipv4 counter name "unsolicited" drop
          }
        }
        """
        .formatted(
            TABLE,
            translation(kind),
            network.hostAddress(),
            Kubelet.AGENT_PORT,
            Kubelet.MANAGEMENT_PORT);
  }

  private String translation(NatKind k) {
    return "oifname \"eth0\" ip saddr " + privateAddress() + " " + k.nftStatement();
  }

  /**
   * Forgets every mapping the NAT holds (its conntrack table), as a NAT that reboots or times its
   * mappings out would: replies to what left before no longer come in, and the node's next packets
   * get new mappings.
   */
  public void flushMappings() {
    Sh.run(Sh.inNetns(namespace(), "conntrack", "-F"));
  }

  /**
   * Replaces this NAT by one of {@code kind}, as swapping the router would: the translation rule is
   * replaced in one nftables transaction and the old NAT's mappings are gone ({@link
   * #flushMappings}).
   */
  public synchronized void setKind(NatKind kind) {
    Sh.run(
        Sh.inNetns(
            namespace(),
            "nft",
            "flush chain inet "
                + TABLE
                + " postrouting; add rule inet "
                + TABLE
                + " postrouting "
                + translation(kind)));
    this.kind = kind;
    flushMappings();
  }

  /** The NAT's UDP mappings, as {@code conntrack -L -p udp} lists them (for diagnostics). */
  public String mappings() {
    return Sh.tryRun(Sh.inNetns(namespace(), "conntrack", "-L", "-p", "udp")).output();
  }

  /**
   * IPv4 packets that arrived on the bridge side unasked (no mapping, not a reply) and were
   * dropped.
   */
  public long unsolicitedDropped() {
    String out =
        Sh.run(Sh.inNetns(namespace(), "nft", "list", "counter", "inet", TABLE, "unsolicited"));
    Matcher m = PACKETS.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no packet count in `nft list counter`: " + out);
    }
    return Long.parseLong(m.group(1));
  }

  /** Removes the NAT's namespace (the node's is the caller's; the host route goes with either). */
  void delete() {
    Sh.tryRun("ip", "netns", "del", namespace());
    Sh.tryRun("ip", "route", "del", privateAddress() + "/32");
  }

  @Override
  public String toString() {
    return kind + " NAT " + publicAddress() + " in front of " + privateAddress();
  }
}
