package dev.wiremesh.planner.nat;

import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.PeerStatus;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which of the agents' reports are believed. An agent reports, per peer, the endpoint its last
 * authenticated packet came from and when ({@link PeerStatus#endpointSeen()}); a report counts only
 * when all of these hold:
 *
 * <ol>
 *   <li>it says the endpoint was seen on an authenticated packet (an endpoint that is only
 *       configured has no {@code endpointSeen}) within {@link NatTimings#maxAge()};
 *   <li>the peer is a node of the mesh (by its public key) that the reporter's planned
 *       configuration holds: a node reports only on its own tunnels;
 *   <li>the peer's own agent reports a handshake with the reporter within {@link
 *       NatTimings#maxAge()}: the other end confirms that the two really have a session;
 *   <li>the endpoint is an IP literal and a port, nothing else.
 * </ol>
 *
 * So a node cannot speak for a pair it is not part of, nor invent a session; and what it reports
 * about a peer it does talk to only sets where the others first send to — the data plane follows
 * the peer's authenticated packets wherever they really come from (roaming).
 */
public final class Sightings {

  private static final Pattern ENDPOINT =
      Pattern.compile("^(?:\\[([0-9A-Fa-f:.]+)\\]|([0-9.]+)):([0-9]{1,5})$");

  private Sightings() {}

  /**
   * The believed sightings, sorted by peer then observer.
   *
   * @param nodeByKey every node of the mesh by the public key its peers hold it under
   * @param plannedPeers each node's planned peers, by node name
   * @param statuses each node's agent status, by node name (nodes whose agent did not answer are
   *     absent)
   */
  public static List<Sighting> believed(
      Map<String, String> nodeByKey,
      Map<String, Set<String>> plannedPeers,
      Map<String, DeviceStatus> statuses,
      Instant now,
      NatTimings timings) {
    List<Sighting> out = new ArrayList<>();
    long oldest = now.minus(timings.maxAge()).getEpochSecond();
    statuses.forEach(
        (observer, st) -> {
          String observerKey = st.publicKey();
          for (PeerStatus ps : st.peers()) {
            String peer = nodeByKey.get(ps.publicKey());
            if (peer == null
                || peer.equals(observer)
                || ps.endpointSeen() == null
                || ps.endpointSeen() < oldest
                || !plannedPeers.getOrDefault(observer, Set.of()).contains(peer)
                || !confirms(statuses.get(peer), observerKey, oldest)
                || !isIpEndpoint(ps.endpoint())) {
              continue;
            }
            out.add(
                new Sighting(
                    observer, peer, ps.endpoint(), Instant.ofEpochSecond(ps.endpointSeen())));
          }
        });
    out.sort(Comparator.comparing(Sighting::peer).thenComparing(Sighting::observer));
    return List.copyOf(out);
  }

  /** Whether {@code peerStatus} has a handshake with {@code observerKey} since {@code oldest}. */
  private static boolean confirms(DeviceStatus peerStatus, String observerKey, long oldest) {
    if (peerStatus == null || observerKey == null) {
      return false;
    }
    for (PeerStatus p : peerStatus.peers()) {
      if (observerKey.equals(p.publicKey()) && p.lastHandshake() >= oldest) {
        return p.lastHandshake() > 0;
      }
    }
    return false;
  }

  /** ip:port or [ip6]:port with an IP literal (no host name) and a port 1-65535. */
  static boolean isIpEndpoint(String endpoint) {
    if (endpoint == null) {
      return false;
    }
    var m = ENDPOINT.matcher(endpoint);
    if (!m.matches()) {
      return false;
    }
    int port = Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      return false;
    }
    String host = m.group(1) != null ? m.group(1) : m.group(2);
    try {
      // Literals only (the pattern leaves no name to resolve).
      InetAddress a = InetAddress.ofLiteral(host);
      return m.group(1) != null ? a instanceof java.net.Inet6Address : true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
