package dev.wiremesh.agent.netlink;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One route in the main table that carries WireMesh's protocol number ({@link
 * RtNetlinkLinks#RTPROT}), as an {@code RTM_GETROUTE} dump reports it: both the interface routes of
 * the allowed IPs and the location routes via a leader are read through {@link #dump}.
 *
 * @param to the destination prefix
 * @param via the gateway, or null for a route on the link
 * @param source the preferred source address, or null
 * @param ifindex the outgoing interface, or -1
 */
record OurRoute(IpPrefix to, InetAddress via, InetAddress source, int ifindex) {
  static final int RTA_GATEWAY = 5;
  static final int RTA_PREFSRC = 7;

  /** WireMesh's IPv4 and IPv6 routes in the main table. */
  static List<OurRoute> dump(NetlinkSocket nl) throws IOException {
    List<OurRoute> out = new ArrayList<>();
    for (int family : new int[] {RtNetlinkLinks.AF_INET, RtNetlinkLinks.AF_INET6}) {
      ByteBuffer req = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
      req.put((byte) family);
      for (ByteBuffer m :
          nl.request(
              RtNetlinkLinks.RTM_GETROUTE,
              NetlinkSocket.NLM_F_DUMP,
              req.array(),
              "listing routes")) {
        OurRoute r = parse(m);
        if (r != null) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The route in one {@code rtmsg} with its attributes, or null if not ours or not main's. */
  private static OurRoute parse(ByteBuffer m) throws IOException {
    int fam = m.get(0) & 0xff;
    int dstLen = m.get(1) & 0xff;
    int table = m.get(4) & 0xff;
    int protocol = m.get(5) & 0xff;
    if (protocol != RtNetlinkLinks.RTPROT
        || (fam != RtNetlinkLinks.AF_INET && fam != RtNetlinkLinks.AF_INET6)) {
      return null;
    }
    int size = fam == RtNetlinkLinks.AF_INET ? 4 : 16;
    byte[] dst = new byte[size];
    byte[] gw = null;
    byte[] src = null;
    int oif = -1;
    for (int pos = 12; pos + 4 <= m.limit(); ) {
      int len = m.getShort(pos) & 0xffff;
      int type = m.getShort(pos + 2) & 0xffff;
      if (len < 4) {
        break;
      }
      if (type == RtNetlinkLinks.RTA_DST && len - 4 == size) {
        m.get(pos + 4, dst);
      } else if (type == RTA_GATEWAY && len - 4 == size) {
        gw = new byte[size];
        m.get(pos + 4, gw);
      } else if (type == RTA_PREFSRC && len - 4 == size) {
        src = new byte[size];
        m.get(pos + 4, src);
      } else if (type == RtNetlinkLinks.RTA_OIF) {
        oif = m.getInt(pos + 4);
      } else if (type == RtNetlinkLinks.RTA_TABLE) {
        table = m.getInt(pos + 4);
      }
      pos += (len + 3) & ~3;
    }
    if (table != RtNetlinkLinks.RT_TABLE_MAIN) {
      return null;
    }
    return new OurRoute(
        new IpPrefix(dst, dstLen),
        gw == null ? null : InetAddress.getByAddress(gw),
        src == null ? null : InetAddress.getByAddress(src),
        oif);
  }
}
