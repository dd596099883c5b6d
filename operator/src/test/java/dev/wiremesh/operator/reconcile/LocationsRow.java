package dev.wiremesh.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentHttp;
import dev.wiremesh.operator.agent.AgentPusher;
import dev.wiremesh.operator.agent.Backoff;
import dev.wiremesh.operator.agent.ConfigDeltas;
import dev.wiremesh.operator.agent.TestPki;
import dev.wiremesh.planner.ipam.AddressOutcome;
import dev.wiremesh.planner.ipam.Cidr;
import dev.wiremesh.planner.ipam.Ipam;
import dev.wiremesh.planner.locations.LocationLeaders;
import dev.wiremesh.planner.locations.LocationPlan;
import dev.wiremesh.planner.locations.LocationPlanner;
import dev.wiremesh.planner.mesh.MeshPlanner;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedPeer;
import dev.wiremesh.planner.topology.TopologyPlanner;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * ScaleBenchmark's Locations row (issue 14): n nodes in k locations (node i in loc-(i mod k)),
 * against the full mesh of the same nodes and the same 100 external peers. Counts, does not time:
 * tunnels per node (peers in each node's config) and the bytes the real pusher sends over mutual
 * TLS when one node joins (after every node holds its config), for FullMesh, Locations Encrypted
 * and Locations Direct; with routePodCIDRs on (as ScaleBenchmark's other rows) and off.
 */
final class LocationsRow {

  private LocationsRow() {}

  static void run(int n, int k, int externals, URI uri, TestPki pki, ObjectMapper json)
      throws Exception {
    for (boolean pods : new boolean[] {true, false}) {
      run(n, k, externals, pods, uri, pki, json);
    }
  }

  static void run(
      int n, int k, int externals, boolean pods, URI uri, TestPki pki, ObjectMapper json)
      throws Exception {
    MeshSettings mesh =
        new MeshSettings("wm0", 51820, 1420, 25, pods, List.of("10.64.0.0/14", "fd00:64::/64"));
    List<Ipam.Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(new Ipam.Request(String.format("node-%05d", i), List.of(), List.of()));
    }
    for (int i = 0; i < externals; i++) {
      requests.add(new Ipam.Request(String.format("ext-%05d", i), List.of(), List.of()));
    }
    requests.add(new Ipam.Request("node-zzzzz", List.of(), List.of()));
    Map<String, AddressOutcome> addresses =
        Ipam.allocate(mesh.pools().stream().map(Cidr::parse).toList(), requests);
    List<NodeMember> nodes = new ArrayList<>();
    Map<String, String> locationOf = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      nodes.add(ScaleBenchmark.node(i, addresses));
      locationOf.put(String.format("node-%05d", i), "loc-" + (i % k));
    }
    List<ExternalMember> ext = new ArrayList<>();
    for (int i = 0; i < externals; i++) {
      String name = String.format("ext-%05d", i);
      ext.add(
          new ExternalMember(
              name,
              ScaleBenchmark.key("E", i),
              null,
              ScaleBenchmark.ips(addresses.get(name)),
              List.of("192.168." + (i % 250) + ".0/24"),
              null,
              null));
    }
    // The joining node: in loc-0, its name sorts last, so it joins as a member.
    NodeMember joining =
        new NodeMember(
            "node-zzzzz",
            ScaleBenchmark.key("N", 999_999),
            "10.0.0.1:51820",
            ScaleBenchmark.ips(addresses.get("node-zzzzz")),
            List.of("10.200.0.0/24"),
            false);
    List<NodeMember> joined = new ArrayList<>(nodes);
    joined.add(joining);
    Map<String, String> joinedLocations = new TreeMap<>(locationOf);
    joinedLocations.put("node-zzzzz", "loc-0");

    Function<List<NodeMember>, Map<String, DeviceConfig>> fullMesh =
        ns -> configs(TopologyPlanner.plan(mesh, ns, ext), null);
    row(n, k, mesh, "FullMesh", fullMesh, nodes, joined, uri, pki, json);
    for (boolean direct : new boolean[] {false, true}) {
      Function<List<NodeMember>, Map<String, DeviceConfig>> located =
          ns -> {
            Map<String, String> loc = ns.size() > n ? joinedLocations : locationOf;
            Map<String, List<LocationLeaders.Candidate>> candidates = new TreeMap<>();
            ns.forEach(
                m ->
                    candidates
                        .computeIfAbsent(loc.get(m.name()), x -> new ArrayList<>())
                        .add(new LocationLeaders.Candidate(m.name(), false, true, true)));
            LocationPlan plan =
                LocationPlanner.plan(
                    mesh, ns, ext, loc, LocationLeaders.elect(candidates, Map.of()), direct);
            return configs(plan.devices(), plan);
          };
      row(
          n,
          k,
          mesh,
          direct ? "Locations, Direct" : "Locations, Encrypted",
          located,
          nodes,
          joined,
          uri,
          pki,
          json);
    }
  }

  static Map<String, DeviceConfig> configs(
      Map<String, dev.wiremesh.planner.topology.PlannedDevice> devices, LocationPlan plan) {
    Map<PlannedPeer, PeerConfig> shared = new IdentityHashMap<>();
    Map<String, DeviceConfig> out = new LinkedHashMap<>();
    devices.forEach(
        (node, d) ->
            out.put(
                node,
                plan == null
                    ? MeshPlanner.toDeviceConfig(d, shared)
                    : MeshPlanner.toDeviceConfig(
                        d, shared, plan.forwarding(node), plan.routes(node))));
    return out;
  }

  private static void row(
      int n,
      int k,
      MeshSettings mesh,
      String topology,
      Function<List<NodeMember>, Map<String, DeviceConfig>> planner,
      List<NodeMember> nodes,
      List<NodeMember> joined,
      URI uri,
      TestPki pki,
      ObjectMapper json)
      throws Exception {
    Map<String, DeviceConfig> before = planner.apply(nodes);
    long tunnelEnds = 0;
    int maxPeers = 0;
    int minPeers = Integer.MAX_VALUE;
    for (DeviceConfig c : before.values()) {
      tunnelEnds += c.peers().size();
      maxPeers = Math.max(maxPeers, c.peers().size());
      minPeers = Math.min(minPeers, c.peers().size());
    }
    try (AgentHttp http =
            new AgentHttp(pki.operatorClient, json, Duration.ofSeconds(5), Duration.ofSeconds(30));
        AgentPusher<DeviceConfig> pusher =
            new AgentPusher<>(
                http,
                16,
                Backoff.DEFAULT,
                Backoff.Sleeper.REAL,
                DeviceConfig::hash,
                ConfigDeltas::between,
                agent -> null)) {
      pusher.pushAll(desired(before, uri));
      long full = http.bytesSent();
      Map<String, DeviceConfig> after = planner.apply(joined);
      long changed =
          after.entrySet().stream()
              .filter(e -> before.containsKey(e.getKey()))
              .filter(e -> !e.getValue().hash().equals(before.get(e.getKey()).hash()))
              .count();
      long b0 = http.bytesSent();
      pusher.pushAll(desired(after, uri));
      long join = http.bytesSent() - b0;
      System.out.printf(
          "nodes=%d locations=%d routePodCIDRs=%-5s %-21s | tunnels per node: mean %.1f, min %d, max %d (%d in all)"
              + " | full configs %.1f MB | one node joins: %d of %d nodes change, %.1f KB pushed%n",
          n,
          k,
          mesh.routePodCIDRs(),
          topology,
          (double) tunnelEnds / before.size(),
          minPeers,
          maxPeers,
          tunnelEnds / 2,
          full / 1e6,
          changed,
          n,
          join / 1e3);
    }
  }

  private static Map<Agent, DeviceConfig> desired(Map<String, DeviceConfig> configs, URI uri) {
    Map<Agent, DeviceConfig> out = new LinkedHashMap<>();
    configs.forEach((node, c) -> out.put(new Agent(node, uri), c));
    return out;
  }
}
