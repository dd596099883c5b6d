package dev.wiremesh.cli.plan;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.planner.ipam.AddressOutcome;
import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.nat.NatState;
import dev.wiremesh.planner.nat.PairPath;
import dev.wiremesh.planner.nat.RecordedNat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a change does to one mesh: the difference between the planner's output on the cluster as it
 * is and on the cluster with the change applied.
 *
 * @param allocations addresses the change allocates, by peer: "10.100.0.5, fd00:100::5"
 * @param problems what keeps a peer out of the mesh after the change (address conflicts, pools
 *     exhausted, a preshared key that cannot be read), by peer
 * @param unchanged nodes whose configuration stays as it is
 * @param nat the NAT traversal state the configurations after the change are planned with, as the
 *     operator recorded it in status: each node behind NAT with the endpoint published for it, each
 *     relayed pair with its relay
 */
public record MeshChange(
    String mesh,
    boolean newMesh,
    Map<String, String> allocations,
    Map<String, String> problems,
    List<NodeChange> nodes,
    List<String> unchanged,
    List<String> nat) {

  /**
   * The difference from {@code before} (null: the mesh is new) to {@code after}, both in the NAT
   * traversal state recorded in status (nothing in it depends on {@code now}).
   */
  static MeshChange between(MeshState before, MeshState after, Instant now) {
    Map<String, String> names = new HashMap<>();
    if (before != null) {
      names.putAll(before.names());
    }
    names.putAll(after.names());

    Map<String, String> allocations = new TreeMap<>();
    Map<String, String> problems = new TreeMap<>();
    after
        .plan()
        .addresses()
        .forEach(
            (peer, outcome) -> {
              AddressOutcome was = before == null ? null : before.plan().addresses().get(peer);
              if (outcome instanceof AddressOutcome.Assigned a) {
                if (!(was instanceof AddressOutcome.Assigned w)
                    || !w.addresses().equals(a.addresses())) {
                  allocations.put(
                      peer,
                      String.join(", ", a.addresses().stream().map(Addresses::format).toList()));
                }
              } else if (outcome instanceof AddressOutcome.Conflict c) {
                problems.put(peer, c.message());
              } else if (outcome instanceof AddressOutcome.Exhausted x) {
                problems.put(peer, x.message());
              } else if (outcome instanceof AddressOutcome.Invalid i) {
                problems.put(peer, i.message());
              }
            });
    problems.putAll(after.plan().invalid());

    Map<String, DeviceConfig> was =
        before == null ? Map.of() : AgentConfigs.of(before, AgentConfigs.nat(before, now));
    RecordedNat.Applied nat = AgentConfigs.nat(after, now);
    Map<String, DeviceConfig> will = AgentConfigs.of(after, nat);
    TreeSet<String> nodes = new TreeSet<>(was.keySet());
    nodes.addAll(will.keySet());
    List<NodeChange> changes = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (String node : nodes) {
      DeviceConfig b = was.get(node);
      DeviceConfig a = will.get(node);
      if (b != null && a != null && b.hash().equals(a.hash())) {
        unchanged.add(node);
        continue;
      }
      String peer = a != null ? after.peerOfNode(node) : before.peerOfNode(node);
      changes.add(
          new NodeChange(
              node,
              peer,
              b == null ? null : b.hash(),
              a == null ? null : a.hash(),
              interfaceChanges(b, a),
              peerChanges(b, a, names)));
    }
    return new MeshChange(
        after.name(), before == null, allocations, problems, changes, unchanged, natLines(nat));
  }

  private static List<String> natLines(RecordedNat.Applied nat) {
    List<String> out = new ArrayList<>();
    if (nat.decision() != null) {
      NatState state = nat.decision().state();
      state
          .published()
          .forEach((node, endpoint) -> out.add(node + " behind NAT, published at " + endpoint));
      state
          .paths()
          .forEach(
              (pair, path) -> {
                if (path instanceof PairPath.Relayed r) {
                  out.add(pair + " relayed via " + r.via());
                }
              });
    }
    return out;
  }

  private static List<String> interfaceChanges(DeviceConfig b, DeviceConfig a) {
    List<String> out = new ArrayList<>();
    if (b == null || a == null) {
      DeviceConfig c = a != null ? a : b;
      out.add(
          (a != null ? "joins: " : "leaves: ")
              + c.interfaceName()
              + " "
              + String.join(", ", c.addresses())
              + ", listen port "
              + c.listenPort()
              + ", MTU "
              + c.mtu());
      return out;
    }
    change(out, "interface", b.interfaceName(), a.interfaceName());
    change(out, "addresses", String.join(", ", b.addresses()), String.join(", ", a.addresses()));
    change(out, "listen port", b.listenPort(), a.listenPort());
    change(out, "MTU", b.mtu(), a.mtu());
    change(out, "forwarding", b.forwarding() ? "on" : "off", a.forwarding() ? "on" : "off");
    change(out, "encryption", AgentConfigs.mode(b), AgentConfigs.mode(a));
    List<String> routesBefore = b.routes().stream().map(MeshChange::route).toList();
    List<String> routesAfter = a.routes().stream().map(MeshChange::route).toList();
    List<String> routes = new ArrayList<>();
    routesAfter.stream().filter(r -> !routesBefore.contains(r)).forEach(r -> routes.add("+" + r));
    routesBefore.stream().filter(r -> !routesAfter.contains(r)).forEach(r -> routes.add("-" + r));
    if (!routes.isEmpty()) {
      out.add("routes " + String.join(", ", routes));
    }
    return out;
  }

  private static String route(dev.wiremesh.api.agent.RouteConfig r) {
    return r.to() + " via " + r.via();
  }

  private static List<NodeChange.PeerChange> peerChanges(
      DeviceConfig b, DeviceConfig a, Map<String, String> names) {
    Map<String, PeerConfig> before = byKey(b);
    Map<String, PeerConfig> after = byKey(a);
    List<NodeChange.PeerChange> out = new ArrayList<>();
    TreeMap<String, String> order = new TreeMap<>();
    before.keySet().forEach(k -> order.put(names.getOrDefault(k, "?") + "\0" + k, k));
    after.keySet().forEach(k -> order.put(names.getOrDefault(k, "?") + "\0" + k, k));
    for (String k : order.values()) {
      PeerConfig p = before.get(k);
      PeerConfig q = after.get(k);
      String name = names.getOrDefault(k, "(unknown peer)");
      if (p == null) {
        out.add(new NodeChange.PeerChange("+", name, k, describe(q)));
      } else if (q == null) {
        out.add(new NodeChange.PeerChange("-", name, k, describe(p)));
      } else if (!p.equals(q)) {
        List<String> d = new ArrayList<>();
        change(d, "endpoint", or(p.endpoint()), or(q.endpoint()));
        TreeSet<String> added = new TreeSet<>(q.allowedIPs());
        added.removeAll(p.allowedIPs());
        TreeSet<String> removed = new TreeSet<>(p.allowedIPs());
        removed.removeAll(q.allowedIPs());
        if (!added.isEmpty() || !removed.isEmpty()) {
          List<String> ips = new ArrayList<>();
          added.forEach(x -> ips.add("+" + x));
          removed.forEach(x -> ips.add("-" + x));
          d.add("allowed IPs " + String.join(" ", ips));
        }
        change(d, "keepalive", p.persistentKeepalive() + "s", q.persistentKeepalive() + "s");
        if (!Objects.equals(p.presharedKey(), q.presharedKey())) {
          d.add(
              q.presharedKey() == null
                  ? "preshared key removed"
                  : p.presharedKey() == null ? "preshared key added" : "preshared key changed");
        }
        out.add(new NodeChange.PeerChange("~", name, k, d));
      }
    }
    return out;
  }

  private static List<String> describe(PeerConfig p) {
    List<String> d = new ArrayList<>();
    d.add("endpoint " + or(p.endpoint()));
    d.add("allowed IPs " + String.join(", ", p.allowedIPs()));
    d.add("keepalive " + p.persistentKeepalive() + "s");
    if (p.presharedKey() != null) {
      d.add("with a preshared key");
    }
    return d;
  }

  private static Map<String, PeerConfig> byKey(DeviceConfig c) {
    Map<String, PeerConfig> m = new TreeMap<>();
    if (c != null) {
      c.peers().forEach(p -> m.put(p.publicKey(), p));
    }
    return m;
  }

  private static void change(List<String> out, String what, Object before, Object after) {
    if (!Objects.equals(before, after)) {
      out.add(what + " " + before + " -> " + after);
    }
  }

  private static String or(String s) {
    return s == null ? "<none>" : s;
  }

  /** Whether the change does anything to this mesh. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  boolean isEmpty() {
    return allocations.isEmpty() && problems.isEmpty() && nodes.isEmpty();
  }
}
