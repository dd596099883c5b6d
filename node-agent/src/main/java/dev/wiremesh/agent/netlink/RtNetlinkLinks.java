package dev.wiremesh.agent.netlink;

import dev.wiremesh.agent.device.LinkSetup;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.os.Errno;
import dev.wiremesh.wireguard.tun.NetworkInterfaces;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * {@link LinkSetup} over rtnetlink, without shelling out: brings the interface up, sets its MTU,
 * and keeps its addresses and routes as desired. It removes only what it created: addresses it
 * added (remembered per interface for the life of the process; the interface itself disappears with
 * the agent) and routes marked with WireMesh's routing protocol number {@link #RTPROT}.
 */
public final class RtNetlinkLinks implements LinkSetup {
  private static final Logger LOG = Logger.getLogger(RtNetlinkLinks.class.getName());

  /** The rtm_protocol that marks WireMesh's routes ({@code ip route ... proto 87}). */
  public static final int RTPROT = 87;

  static final int RTM_NEWLINK = 16;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_DELROUTE = 25;
  static final int RTM_GETROUTE = 26;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int IFF_UP = 1;
  static final int IFLA_MTU = 4;
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_TABLE = 15;
  static final int RT_TABLE_MAIN = 254;
  static final int RT_SCOPE_UNIVERSE = 0;
  static final int RT_SCOPE_LINK = 253;
  static final int RTN_UNICAST = 1;

  private final java.util.Map<String, Set<IpPrefix>> managedAddresses = new java.util.HashMap<>();

  @Override
  public synchronized void reconcile(
      String ifname, int mtu, List<IpPrefix> addresses, List<IpPrefix> routes) throws IOException {
    int index =
        NetworkInterfaces.index(ifname)
            .orElseThrow(() -> new IOException("interface " + ifname + " does not exist"));
    try (NetlinkSocket nl = new NetlinkSocket()) {
      setLink(nl, ifname, index, mtu);
      Set<IpPrefix> managed = managedAddresses.computeIfAbsent(ifname, k -> new HashSet<>());
      for (IpPrefix a : List.copyOf(managed)) {
        if (!addresses.contains(a)) {
          address(nl, RTM_DELADDR, 0, index, a, "removing address " + a + " from " + ifname);
          managed.remove(a);
        }
      }
      for (IpPrefix a : addresses) {
        if (!managed.contains(a)) {
          try {
            address(
                nl,
                RTM_NEWADDR,
                NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL,
                index,
                a,
                "adding address " + a + " to " + ifname);
          } catch (NetlinkException e) {
            if (e.errno() != Errno.EEXIST) {
              throw e;
            }
            // Present already (someone else's): leave it theirs.
            continue;
          }
          managed.add(a);
        }
      }
      Set<IpPrefix> wanted = new HashSet<>();
      for (IpPrefix r : routes) {
        wanted.add(r.masked());
      }
      Set<IpPrefix> present = new HashSet<>(ourRoutes(nl, index));
      for (IpPrefix r : present) {
        if (!wanted.contains(r)) {
          route(nl, RTM_DELROUTE, 0, index, r, "removing route " + r + " dev " + ifname);
        }
      }
      for (IpPrefix r : wanted) {
        if (!present.contains(r)) {
          try {
            route(
                nl,
                RTM_NEWROUTE,
                NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL,
                index,
                r,
                "adding route " + r + " dev " + ifname);
          } catch (NetlinkException e) {
            if (e.errno() != Errno.EEXIST) {
              throw e;
            }
            LOG.info("route " + r + " exists and is not WireMesh's: left as it is");
          }
        }
      }
    }
  }

  /** The routes via {@code index} in the main table that carry WireMesh's protocol number. */
  public List<IpPrefix> ourRoutes(int index) throws IOException {
    try (NetlinkSocket nl = new NetlinkSocket()) {
      return ourRoutes(nl, index);
    }
  }

  private static List<IpPrefix> ourRoutes(NetlinkSocket nl, int index) throws IOException {
    return OurRoute.dump(nl).stream().filter(r -> r.ifindex() == index).map(OurRoute::to).toList();
  }

  private static void setLink(NetlinkSocket nl, String ifname, int index, int mtu)
      throws IOException {
    RtAttrs a = new RtAttrs();
    if (mtu > 0) {
      a.putInt(IFLA_MTU, mtu);
    }
    ByteBuffer b = ByteBuffer.allocate(16 + a.size()).order(ByteOrder.nativeOrder());
    b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(IFF_UP).putInt(IFF_UP);
    b.put(a.bytes());
    nl.request(
        RTM_NEWLINK,
        0,
        b.array(),
        "setting " + ifname + " up" + (mtu > 0 ? " with MTU " + mtu : ""));
  }

  private static void address(
      NetlinkSocket nl, int type, int flags, int index, IpPrefix p, String what)
      throws IOException {
    byte[] addr = p.address();
    int family = addr.length == 4 ? AF_INET : AF_INET6;
    RtAttrs a = new RtAttrs();
    a.put(IFA_LOCAL, addr);
    a.put(IFA_ADDRESS, addr);
    ByteBuffer b = ByteBuffer.allocate(8 + a.size()).order(ByteOrder.nativeOrder());
    b.put((byte) family)
        .put((byte) p.length())
        .put((byte) 0)
        .put((byte) RT_SCOPE_UNIVERSE)
        .putInt(index);
    b.put(a.bytes());
    nl.request(type, flags, b.array(), what);
  }

  private static void route(
      NetlinkSocket nl, int type, int flags, int index, IpPrefix p, String what)
      throws IOException {
    byte[] dst = p.masked().address();
    int family = dst.length == 4 ? AF_INET : AF_INET6;
    RtAttrs a = new RtAttrs();
    a.put(RTA_DST, dst);
    a.putInt(RTA_OIF, index);
    ByteBuffer b = ByteBuffer.allocate(12 + a.size()).order(ByteOrder.nativeOrder());
    b.put((byte) family).put((byte) p.length()).put((byte) 0).put((byte) 0);
    b.put((byte) RT_TABLE_MAIN)
        .put((byte) RTPROT)
        .put((byte) RT_SCOPE_LINK)
        .put((byte) RTN_UNICAST);
    b.putInt(0);
    b.put(a.bytes());
    nl.request(type, flags, b.array(), what);
  }
}
