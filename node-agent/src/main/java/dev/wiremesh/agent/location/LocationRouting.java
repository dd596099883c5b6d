package dev.wiremesh.agent.location;

import java.io.IOException;
import java.util.List;

/**
 * What the device manager asks of the host for the location topology. Implemented over rtnetlink
 * ({@code dev.wiremesh.agent.netlink.RtNetlinkLocationRouting}); tests substitute a recorder.
 * Implementations touch only what they set up: routes they marked as WireMesh's, forwarding they
 * turned on.
 */
public interface LocationRouting {

  /**
   * Brings the host to: forwarding on {@code ifname} (and on the interfaces the routes leave by)
   * when {@code forwarding}, else back as it was before this agent turned it on; and exactly {@code
   * routes} among the via-routes this agent manages. Called after the interface and its addresses
   * are in place (a route's source address is one of them).
   */
  void apply(String ifname, boolean forwarding, List<ViaRoute> routes) throws IOException;

  /** For hosts where nothing may be changed: refuses any forwarding or route. */
  LocationRouting NONE =
      (ifname, forwarding, routes) -> {
        if (forwarding || !routes.isEmpty()) {
          throw new IOException("this agent does not set up forwarding or routes");
        }
      };
}
