package dev.wiremesh.e2e.localmesh;

import java.util.ArrayList;
import java.util.List;

/**
 * The local mesh's underlay: a Linux bridge in the host namespace and one network namespace per
 * node, joined to the bridge by a veth pair whose node end is {@code eth0}. The host holds the
 * subnet's {@code .1} (the operator reaches the agents from there); node {@code i} holds {@code
 * .(10+i)}. Forwarding is on in every node, as on a Kubernetes node, so a gateway node can relay
 * between an external peer and the others.
 *
 * <p>Every name starts with {@code prefix}, so a second mesh (the tests') can run beside a user's
 * and {@link #sweep} can clear what a killed run left behind.
 */
public final class Network {

  private final String prefix;
  private final String subnet;

  /**
   * @param prefix at most 6 characters: interface names are limited to 15
   * @param subnet the first three octets of a /24, e.g. "172.29.0"
   */
  public Network(String prefix, String subnet) {
    if (!prefix.matches("[a-z][a-z0-9]{0,5}")) {
      throw new IllegalArgumentException(
          "prefix must be 1-6 lower-case letters or digits, starting with a letter: " + prefix);
    }
    if (!subnet.matches("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})")) {
      throw new IllegalArgumentException(
          "subnet must be the first three octets of a /24, e.g. 172.29.0: " + subnet);
    }
    this.prefix = prefix;
    this.subnet = subnet;
  }

  public String bridge() {
    return prefix + "-br";
  }

  public String hostAddress() {
    return subnet + ".1";
  }

  /** The namespace of a node (or of any other host on the bridge) with index {@code i}. */
  public String namespace(int i) {
    return prefix + "-n" + i;
  }

  /** The underlay address of index {@code i}: nodes from 1, other hosts (external peers) 200+. */
  public String address(int i) {
    if (i < 1 || i > 240) {
      throw new IllegalArgumentException("index must be 1-240: " + i);
    }
    return subnet + "." + (i < 200 ? 10 + i : i);
  }

  /**
   * The bridge's port for index {@code i}: the host end of the veth whose other end is the node's
   * (or its NAT's) {@code eth0}, where a capture sees what crosses that node's wire.
   */
  public String bridgePort(int i) {
    return prefix + "-h" + i;
  }

  /** Creates the bridge (and clears anything a killed earlier run with this prefix left). */
  public void create() {
    sweep();
    Sh.run("ip", "link", "add", bridge(), "type", "bridge");
    Sh.run("ip", "addr", "add", hostAddress() + "/24", "dev", bridge());
    Sh.run("ip", "link", "set", bridge(), "up");
  }

  /** A namespace joined to the bridge at {@link #address(int)}, with loopback and forwarding on. */
  public String attach(int i) {
    return attach(i, true);
  }

  /** The same, forwarding on or left off (the kernel's default in a new namespace). */
  public String attach(int i, boolean forwarding) {
    String ns = namespace(i);
    join(ns, i);
    if (forwarding) {
      forward(ns);
    }
    return ns;
  }

  /**
   * Node {@code i} behind a NAT of {@code kind}: the NAT's namespace takes the node's place on the
   * bridge (and its address), the node's namespace sits behind it on a private link.
   */
  public NatNamespace attachBehindNat(int i, boolean forwarding, NatKind kind) {
    NatNamespace nat = NatNamespace.create(this, i, kind);
    if (forwarding) {
      forward(nat.nodeNamespace());
    }
    return nat;
  }

  /**
   * A new namespace {@code ns} joined to the bridge at {@link #address(int)} as {@code eth0}, with
   * loopback up and its default route through the host.
   */
  void join(String ns, int i) {
    String host = bridgePort(i);
    Sh.run("ip", "netns", "add", ns);
    Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
    Sh.run("ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
    Sh.run("ip", "link", "set", host, "master", bridge());
    Sh.run("ip", "link", "set", host, "up");
    Sh.run("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
    Sh.run("ip", "-n", ns, "link", "set", "eth0", "up");
    Sh.run("ip", "-n", ns, "route", "add", "default", "via", hostAddress());
  }

  private static void forward(String ns) {
    Sh.run(Sh.inNetns(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
    Sh.run(Sh.inNetns(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"));
  }

  String prefix() {
    return prefix;
  }

  String subnet() {
    return subnet;
  }

  /** Removes a namespace (and the NAT in front of it, if any) and its veth pair. */
  public void detach(int i) {
    Sh.tryRun("ip", "netns", "del", namespace(i));
    Sh.tryRun("ip", "netns", "del", NatNamespace.namespace(prefix, i));
    // The pair goes with the namespace, but only once nothing holds the namespace any more.
    Sh.tryRun("ip", "link", "del", bridgePort(i));
  }

  /**
   * Removes every namespace (nodes', NATs' and other hosts') and the bridge with this prefix, and
   * with the bridge the host's routes to NATed nodes' private links; quiet when there are none.
   */
  public void sweep() {
    for (String ns : namespaces()) {
      Sh.tryRun("ip", "netns", "del", ns);
    }
    for (String line : Sh.tryRun("ip", "-o", "link", "show").output().split("\n")) {
      String[] f = line.split(": ");
      if (f.length > 1 && f[1].startsWith(prefix + "-h")) {
        Sh.tryRun("ip", "link", "del", f[1].split("@")[0]);
      }
    }
    Sh.tryRun("ip", "link", "del", bridge());
  }

  private List<String> namespaces() {
    List<String> out = new ArrayList<>();
    for (String line : Sh.tryRun("ip", "netns", "list").output().split("\n")) {
      String name = line.strip().split(" ")[0];
      if (name.startsWith(prefix + "-n")) {
        out.add(name);
      }
    }
    return out;
  }
}
