package dev.wiremesh.agent.location;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.net.InetAddress;

/**
 * A route over the node's own network: {@code to} via the next hop {@code via}; {@code src} is the
 * preferred source address, or null.
 */
public record ViaRoute(IpPrefix to, InetAddress via, InetAddress src) {
  public ViaRoute {
    to = to.masked();
  }
}
