package dev.wiremesh.agent.location;

import dev.wiremesh.api.agent.RouteConfig;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Parses and checks a config's routes; the first error names its field (routes[i].via). */
public final class ViaRoutes {

  /** A route the agent refuses. */
  public static final class InvalidRoute extends Exception {
    private final String field;

    InvalidRoute(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  private ViaRoutes() {}

  public static List<ViaRoute> parse(List<RouteConfig> routes) throws InvalidRoute {
    List<ViaRoute> out = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      String f = "routes[" + i + "]";
      RouteConfig r = routes.get(i);
      IpPrefix to;
      try {
        to = IpPrefix.parse(r.to() == null ? "" : r.to());
      } catch (IllegalArgumentException e) {
        throw new InvalidRoute(f + ".to", e.getMessage());
      }
      InetAddress via = address(f + ".via", r.via());
      if (via == null) {
        throw new InvalidRoute(f + ".via", "is required: the next hop's address");
      }
      if ((via instanceof Inet4Address) != to.isIpv4()) {
        throw new InvalidRoute(
            f + ".via", "must be of the same address family as " + r.to() + ", got " + r.via());
      }
      InetAddress src = address(f + ".src", r.src());
      if (src != null && (src instanceof Inet4Address) != to.isIpv4()) {
        throw new InvalidRoute(
            f + ".src", "must be of the same address family as " + r.to() + ", got " + r.src());
      }
      out.add(new ViaRoute(to, via, src));
    }
    return List.copyOf(out);
  }

  private static InetAddress address(String field, String text) throws InvalidRoute {
    if (text == null) {
      return null;
    }
    try {
      return InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidRoute(field, "must be an IPv4 or IPv6 address, got '" + text + "'");
    }
  }
}
