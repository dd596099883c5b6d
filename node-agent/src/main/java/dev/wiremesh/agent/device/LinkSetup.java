package dev.wiremesh.agent.device;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.io.IOException;
import java.util.List;

/**
 * What the device manager asks of the host's network stack for its interface: up, MTU, its
 * addresses, and a route per allowed IP. Implemented over rtnetlink ({@code
 * dev.wiremesh.agent.netlink}); tests substitute a recorder. Implementations touch only what they
 * created: other addresses and routes on the host are left alone.
 */
public interface LinkSetup {
  /**
   * Brings {@code ifname} to the desired state: up, {@code mtu} (0: leave as it is), exactly {@code
   * addresses} among the addresses this agent manages, exactly {@code routes} among the routes this
   * agent manages.
   */
  void reconcile(String ifname, int mtu, List<IpPrefix> addresses, List<IpPrefix> routes)
      throws IOException;
}
