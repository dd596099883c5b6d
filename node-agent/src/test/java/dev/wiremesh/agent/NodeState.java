package dev.wiremesh.agent;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.RouteConfig;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a node shows of the configuration its agent applied, read the way an administrator would:
 * {@code wg show IF dump} (the UAPI socket), {@code ip link/addr/route}, the forwarding sysctls and
 * {@code nft list tables}, all in the node's network namespace in one shell. Secrets stay out: the
 * private key is dropped while parsing and preshared keys are only compared, never printed.
 *
 * @param listenPort 0 when {@code wg} found no interface
 * @param routes WireMesh's routes (protocol 87) through the interface
 * @param viaRoutes WireMesh's routes over the node network: "TO via GW src SRC"
 * @param forwarding net.ipv4.conf.IF.forwarding, the same for the underlay, and IPv6's all
 */
record NodeState(
    int listenPort,
    int mtu,
    Set<String> addresses,
    Map<String, Peer> peers,
    Set<String> routes,
    Set<String> viaRoutes,
    String forwarding,
    Set<String> tables) {

  /** A peer as {@code wg} shows it; {@code psk} is kept for comparing only. */
  record Peer(String psk, String endpoint, Set<String> allowedIps, int keepalive) {
    @Override
    public String toString() {
      return "endpoint "
          + endpoint
          + ", allowed IPs "
          + allowedIps
          + ", keepalive "
          + keepalive
          + ", preshared key "
          + (psk == null ? "none" : "set");
    }
  }

  /** Reads the node's state: {@code ns} its namespace, {@code underlay} its node network link. */
  static NodeState read(String ns, String ifname, String underlay) throws Exception {
    String script =
        String.join(
            "\n",
            "echo '## wg'; wg show IF dump 2>&1",
            "echo '## link'; ip -o link show dev IF 2>&1",
            "echo '## addr'; ip -o addr show dev IF scope global 2>&1",
            "echo '## routes'; ip -o route show proto 87; ip -o -6 route show proto 87",
            "echo '## forwarding'",
            "cat /proc/sys/net/ipv4/conf/IF/forwarding 2>/dev/null || echo -",
            "cat /proc/sys/net/ipv4/conf/UL/forwarding",
            "cat /proc/sys/net/ipv6/conf/all/forwarding",
            "echo '## nft'; nft list tables 2>&1",
            "true");
    String out =
        Commands.sh(
            Commands.in(ns, "sh", "-c", script.replace("IF", ifname).replace("UL", underlay)));
    return parse(out, ifname);
  }

  static NodeState parse(String out, String ifname) {
    Map<String, List<String>> sections = new TreeMap<>();
    List<String> current = null;
    for (String line : out.split("\n")) {
      if (line.startsWith("## ")) {
        current = new ArrayList<>();
        sections.put(line.substring(3).strip(), current);
      } else if (current != null && !line.isBlank()) {
        current.add(line.strip());
      }
    }
    int port = 0;
    Map<String, Peer> peers = new TreeMap<>();
    List<String> wg = sections.getOrDefault("wg", List.of());
    if (!wg.isEmpty() && wg.get(0).split("\t").length == 4) {
      port = Integer.parseInt(wg.get(0).split("\t")[2]); // [0] is the private key: never kept
      for (String line : wg.subList(1, wg.size())) {
        String[] f = line.split("\t");
        Set<String> allowed = new TreeSet<>();
        if (!f[3].equals("(none)")) {
          allowed.addAll(List.of(f[3].split(",")));
        }
        peers.put(
            f[0],
            new Peer(
                f[1].equals("(none)") ? null : f[1],
                f[2].equals("(none)") ? null : f[2],
                allowed,
                f[7].equals("off") ? 0 : Integer.parseInt(f[7])));
      }
    }
    int mtu = 0;
    for (String line : sections.getOrDefault("link", List.of())) {
      String[] f = line.split("\\s+");
      for (int i = 0; i + 1 < f.length; i++) {
        if (f[i].equals("mtu")) {
          mtu = Integer.parseInt(f[i + 1]);
        }
      }
    }
    Set<String> addresses = new TreeSet<>();
    for (String line : sections.getOrDefault("addr", List.of())) {
      String[] f = line.split("\\s+");
      if (f.length > 3 && f[2].startsWith("inet")) {
        addresses.add(f[3]);
      }
    }
    Set<String> routes = new TreeSet<>();
    Set<String> via = new TreeSet<>();
    for (String line : sections.getOrDefault("routes", List.of())) {
      List<String> f = List.of(line.split("\\s+"));
      String to = withLength(f.get(0));
      if (f.contains("via")) {
        String src = f.contains("src") ? " src " + f.get(f.indexOf("src") + 1) : "";
        via.add(to + " via " + f.get(f.indexOf("via") + 1) + src);
      } else if (f.contains("dev") && f.get(f.indexOf("dev") + 1).equals(ifname)) {
        routes.add(to);
      }
    }
    String forwarding = String.join(" ", sections.getOrDefault("forwarding", List.of()));
    Set<String> tables = new TreeSet<>();
    for (String line : sections.getOrDefault("nft", List.of())) {
      if (line.startsWith("table ")) {
        tables.add(line.substring("table ".length()));
      }
    }
    return new NodeState(port, mtu, addresses, peers, routes, via, forwarding, tables);
  }

  /** {@code ip route} leaves out /32 and /128. */
  private static String withLength(String to) {
    return to.contains("/") ? to : to + (to.contains(":") ? "/128" : "/32");
  }

  /** What the node shows when {@code c} is applied, and only it. */
  static NodeState of(DeviceConfig c) {
    Map<String, Peer> peers = new TreeMap<>();
    Set<String> routes = new TreeSet<>();
    for (PeerConfig p : c.peers()) {
      Set<String> allowed = new TreeSet<>();
      for (String a : p.allowedIPs()) {
        String masked = IpPrefix.parse(a).masked().toString();
        allowed.add(masked);
        routes.add(masked);
      }
      peers.put(
          p.publicKey(),
          new Peer(p.presharedKey(), p.endpoint(), allowed, p.persistentKeepalive()));
    }
    Set<String> via = new TreeSet<>();
    for (RouteConfig r : c.routes()) {
      via.add(r.to() + " via " + r.via() + (r.src() == null ? "" : " src " + r.src()));
    }
    String on = c.forwarding() ? "1" : "0";
    return new NodeState(
        c.listenPort(),
        c.mtu(),
        new TreeSet<>(c.addresses()),
        peers,
        routes,
        via,
        on + " " + on + " " + on,
        c.encryption() != null && c.encryption().required()
            ? Set.of("inet " + c.encryption().table())
            : Set.of());
  }

  /** How this differs from {@code expected}, one line per part; empty when it does not. */
  List<String> differences(NodeState expected) {
    List<String> d = new ArrayList<>();
    differ(d, "listen port", listenPort, expected.listenPort);
    differ(d, "MTU", mtu, expected.mtu);
    differ(d, "addresses", addresses, expected.addresses);
    Set<String> keys = new TreeSet<>(peers.keySet());
    keys.addAll(expected.peers.keySet());
    int shown = 0;
    for (String k : keys) {
      Peer is = peers.get(k);
      Peer want = expected.peers.get(k);
      if (is == null || want == null || !is.equals(want)) {
        if (shown++ < 5) {
          d.add(
              "peer "
                  + k
                  + ": "
                  + (is == null ? "absent" : is)
                  + (want == null ? ", not expected" : ", expected " + want)
                  + (is != null && want != null && !Objects.equals(is.psk, want.psk)
                      ? " (the preshared keys differ)"
                      : ""));
        }
      }
    }
    if (shown > 5) {
      d.add("... " + (shown - 5) + " more peers differ");
    }
    if (!routes.equals(expected.routes)) {
      d.add(
          "routes through the interface: "
              + routes.size()
              + ", expected "
              + expected.routes.size()
              + "; missing "
              + minus(expected.routes, routes)
              + ", extra "
              + minus(routes, expected.routes));
    }
    differ(d, "routes over the node network", viaRoutes, expected.viaRoutes);
    differ(d, "forwarding (interface, underlay, IPv6)", forwarding, expected.forwarding);
    differ(d, "nftables tables", tables, expected.tables);
    return d;
  }

  private static void differ(List<String> d, String what, Object is, Object want) {
    if (!Objects.equals(is, want)) {
      d.add(what + ": " + is + ", expected " + want);
    }
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> r = new TreeSet<>(a);
    r.removeAll(b);
    return r;
  }

  @Override
  public String toString() {
    return "port "
        + listenPort
        + ", MTU "
        + mtu
        + ", addresses "
        + addresses
        + ", "
        + peers.size()
        + " peers, "
        + routes.size()
        + " routes through the interface, via "
        + viaRoutes
        + ", forwarding "
        + forwarding
        + ", tables "
        + tables;
  }
}
