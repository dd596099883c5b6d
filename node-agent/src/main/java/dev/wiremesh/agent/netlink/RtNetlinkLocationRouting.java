package dev.wiremesh.agent.netlink;

import dev.wiremesh.agent.location.ForwardingLedger;
import dev.wiremesh.agent.location.LocationRouting;
import dev.wiremesh.agent.location.ViaRoute;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.os.Errno;
import dev.wiremesh.wireguard.tun.NetworkInterfaces;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * {@link LocationRouting} over rtnetlink: via-routes in the main table marked with WireMesh's
 * protocol number ({@link RtNetlinkLinks#RTPROT}) and a gateway, so they are told apart from the
 * tunnel's own routes (which have none); IPv4 forwarding per interface ({@code IFLA_AF_SPEC} /
 * {@code IFLA_INET_CONF}, the kernel's {@code net.ipv4.conf.IF.forwarding}) on the tunnel interface
 * and on each interface a via-route leaves by. IPv6 forwarding has no per-interface switch in the
 * kernel's forwarding path: it is {@code net.ipv6.conf.all.forwarding}, written through /proc/sys
 * when it is off (and put back when this agent stops forwarding); where /proc/sys is read-only the
 * agent says so in its log, and IPv6 is not forwarded. What it turned on is in a {@link
 * ForwardingLedger} in the state folder, so that it is turned off after an agent restart too, and a
 * switch that was already on is never touched.
 */
public final class RtNetlinkLocationRouting implements LocationRouting {
  private static final Logger LOG = Logger.getLogger(RtNetlinkLocationRouting.class.getName());

  static final int IFLA_AF_SPEC = 26;
  static final int IFLA_INET_CONF = 1;
  static final int IPV4_DEVCONF_FORWARDING = 1;
  static final Path PROC_NET = Path.of("/proc/sys/net");

  /** Whether the kernel's route {@code i} is the wanted route {@code r}. */
  private static boolean same(OurRoute i, ViaRoute r) {
    return i.to().equals(r.to())
        && i.via().equals(r.via())
        && java.util.Objects.equals(i.source(), r.src());
  }

  /** What this agent turned on, this run or an earlier one. */
  private final ForwardingLedger owned;

  public RtNetlinkLocationRouting(ForwardingLedger owned) {
    this.owned = owned;
  }

  @Override
  public synchronized void apply(String ifname, boolean forwarding, List<ViaRoute> routes)
      throws IOException {
    try (NetlinkSocket nl = new NetlinkSocket()) {
      List<OurRoute> present = installed(nl);
      for (OurRoute i : present) {
        if (routes.stream().noneMatch(r -> same(i, r))) {
          route(nl, RtNetlinkLinks.RTM_DELROUTE, 0, i.to(), i.via(), i.source(), "removing");
        }
      }
      for (ViaRoute r : routes) {
        if (present.stream().anyMatch(i -> same(i, r))) {
          continue;
        }
        try {
          route(
              nl,
              RtNetlinkLinks.RTM_NEWROUTE,
              NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL,
              r.to(),
              r.via(),
              r.src(),
              "adding");
        } catch (NetlinkException e) {
          if (e.errno() != Errno.EEXIST) {
            throw e;
          }
          LOG.info("route " + r.to() + " exists and is not WireMesh's: left as it is");
        }
      }
      Set<String> wanted = new TreeSet<>();
      if (forwarding) {
        wanted.add(ifname);
        for (OurRoute i : installed(nl)) {
          NetworkInterface out = NetworkInterface.getByIndex(i.ifindex());
          if (out != null) {
            wanted.add(out.getName());
          }
        }
      }
      for (String name : owned.ipv4()) {
        if (!wanted.contains(name)) {
          if (NetworkInterfaces.index(name).isPresent()) {
            forwardIpv4(nl, name, false);
          }
          owned.ipv4(name, false);
        }
      }
      for (String name : wanted) {
        // Off: turn it on and own it (again, for an interface created anew since). On and not
        // ours: the node's own setting, left alone.
        if (!"1".equals(read("ipv4/conf/" + name + "/forwarding"))) {
          owned.ipv4(name, true);
          forwardIpv4(nl, name, true);
        }
      }
    }
    ipv6Forwarding(forwarding);
  }

  private void ipv6Forwarding(boolean on) throws IOException {
    String now = read("ipv6/conf/all/forwarding");
    if (now == null) {
      return; // no IPv6 on this host
    }
    if (on && "0".equals(now)) {
      owned.ipv6(true);
      if (write("ipv6/conf/all/forwarding", "1")) {
        LOG.info("turned net.ipv6.conf.all.forwarding on: this node leads its location");
      } else {
        owned.ipv6(false);
        LOG.warning(
            "net.ipv6.conf.all.forwarding is off and /proc/sys is not writable here: this"
                + " location leader forwards IPv4 only (set the sysctl on the node to forward IPv6)");
      }
    } else if (!on && owned.ipv6()) {
      if ("0".equals(now) || write("ipv6/conf/all/forwarding", "0")) {
        owned.ipv6(false);
        LOG.info("turned net.ipv6.conf.all.forwarding off again: this node no longer leads");
      } else {
        LOG.warning("cannot turn net.ipv6.conf.all.forwarding off again: /proc/sys not writable");
      }
    }
  }

  private static String read(String sysctl) {
    try {
      return Files.readString(PROC_NET.resolve(sysctl)).trim();
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean write(String sysctl, String value) {
    try {
      Files.writeString(PROC_NET.resolve(sysctl), value);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Sets net.ipv4.conf.NAME.forwarding through RTM_NEWLINK, IFLA_AF_SPEC, AF_INET. */
  private static void forwardIpv4(NetlinkSocket nl, String name, boolean on) throws IOException {
    int index =
        NetworkInterfaces.index(name)
            .orElseThrow(() -> new IOException("interface " + name + " does not exist"));
    RtAttrs conf = new RtAttrs().putInt(IPV4_DEVCONF_FORWARDING, on ? 1 : 0);
    RtAttrs inet = new RtAttrs().nest(IFLA_INET_CONF, conf);
    RtAttrs spec = new RtAttrs().nest(RtNetlinkLinks.AF_INET, inet);
    RtAttrs a = new RtAttrs().nest(IFLA_AF_SPEC, spec);
    ByteBuffer b = ByteBuffer.allocate(16 + a.size()).order(ByteOrder.nativeOrder());
    b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(0).putInt(0);
    b.put(a.bytes());
    nl.request(
        RtNetlinkLinks.RTM_NEWLINK,
        0,
        b.array(),
        (on ? "turning IPv4 forwarding on for " : "turning IPv4 forwarding off for ") + name);
  }

  private static void route(
      NetlinkSocket nl,
      int type,
      int flags,
      IpPrefix to,
      InetAddress via,
      InetAddress src,
      String verb)
      throws IOException {
    byte[] dst = to.masked().address();
    int family = dst.length == 4 ? RtNetlinkLinks.AF_INET : RtNetlinkLinks.AF_INET6;
    RtAttrs a = new RtAttrs();
    a.put(RtNetlinkLinks.RTA_DST, dst);
    a.put(OurRoute.RTA_GATEWAY, via.getAddress());
    if (src != null) {
      a.put(OurRoute.RTA_PREFSRC, src.getAddress());
    }
    ByteBuffer b = ByteBuffer.allocate(12 + a.size()).order(ByteOrder.nativeOrder());
    b.put((byte) family).put((byte) to.length()).put((byte) 0).put((byte) 0);
    b.put((byte) RtNetlinkLinks.RT_TABLE_MAIN)
        .put((byte) RtNetlinkLinks.RTPROT)
        .put((byte) RtNetlinkLinks.RT_SCOPE_UNIVERSE)
        .put((byte) RtNetlinkLinks.RTN_UNICAST);
    b.putInt(0);
    b.put(a.bytes());
    nl.request(
        type,
        flags,
        b.array(),
        verb
            + " route "
            + to
            + " via "
            + via.getHostAddress()
            + (src == null ? "" : " src " + src.getHostAddress()));
  }

  /** WireMesh's routes with a gateway in the main table. */
  static List<OurRoute> installed(NetlinkSocket nl) throws IOException {
    return OurRoute.dump(nl).stream().filter(r -> r.via() != null).toList();
  }
}
