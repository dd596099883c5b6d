package dev.wiremesh.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentHttp;
import dev.wiremesh.operator.agent.AgentPusher;
import dev.wiremesh.operator.agent.Backoff;
import dev.wiremesh.operator.agent.ConfigDeltas;
import dev.wiremesh.operator.agent.PushResult;
import dev.wiremesh.operator.agent.TestPki;
import dev.wiremesh.planner.ipam.AddressOutcome;
import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.ipam.Cidr;
import dev.wiremesh.planner.ipam.Ipam;
import dev.wiremesh.planner.mesh.MeshPlanner;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.PlannedPeer;
import dev.wiremesh.planner.topology.TopologyPlanner;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scale benchmark of issue 7 (not a test; run by hand, see docs/operator-performance.md): a
 * mesh of N nodes and 100 external peers. Measures (1) converging from empty — IPAM, plan, hashes,
 * and a full PUT of every node's config over mutual TLS through the real pusher (parallelism 16) to
 * one HTTPS server standing in for all agents; (2) the bytes pushed when one node joins, as deltas;
 * (3) the heap held afterwards (the pusher keeps each node's last config for deltas).
 */
public final class ScaleBenchmark {

  public static void main(String[] args) throws Exception {
    boolean locations = args.length > 0 && args[0].equals("locations");
    int[] sizes =
        locations
            ? new int[] {args.length > 1 ? Integer.parseInt(args[1]) : 1000}
            : args.length > 0 ? new int[] {Integer.parseInt(args[0])} : new int[] {250, 500, 1000};
    TestPki pki = new TestPki();
    AtomicLong received = new AtomicLong();
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setHttpsConfigurator(
        new HttpsConfigurator(pki.agentServer) {
          @Override
          public void configure(HttpsParameters params) {
            var p = pki.agentServer.getDefaultSSLParameters();
            p.setNeedClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/v1/config",
        e -> {
          received.addAndGet(e.getRequestBody().readAllBytes().length);
          e.sendResponseHeaders(204, -1);
          e.close();
        });
    server.start();
    URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    ObjectMapper json = new ObjectMapper();
    try {
      for (int n : sizes) {
        if (locations) {
          int count = args.length > 2 ? Integer.parseInt(args[2]) : 10;
          LocationsRow.run(n, count, 100, uri, pki, json);
        } else {
          run(n, 100, uri, pki, json);
        }
      }
    } finally {
      server.stop(0);
    }
  }

  static void run(int n, int externals, URI uri, TestPki pki, ObjectMapper json) throws Exception {
    System.gc();
    long heapBefore = usedHeap();
    MeshSettings mesh =
        new MeshSettings("wm0", 51820, 1420, 25, true, List.of("10.64.0.0/14", "fd00:64::/64"));
    long t0 = System.nanoTime();
    List<Ipam.Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(new Ipam.Request(String.format("node-%05d", i), List.of(), List.of()));
    }
    for (int i = 0; i < externals; i++) {
      requests.add(new Ipam.Request(String.format("ext-%05d", i), List.of(), List.of()));
    }
    Map<String, AddressOutcome> addresses =
        Ipam.allocate(mesh.pools().stream().map(Cidr::parse).toList(), requests);
    List<NodeMember> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(node(i, addresses));
    }
    List<ExternalMember> ext = new ArrayList<>();
    for (int i = 0; i < externals; i++) {
      String name = String.format("ext-%05d", i);
      ext.add(
          new ExternalMember(
              name,
              key("E", i),
              null,
              ips(addresses.get(name)),
              List.of("192.168." + (i % 250) + ".0/24"),
              null,
              null));
    }
    Map<String, PlannedDevice> plan = TopologyPlanner.plan(mesh, nodes, ext);
    Map<PlannedPeer, PeerConfig> shared = new IdentityHashMap<>();
    Map<String, DeviceConfig> configs = new LinkedHashMap<>();
    plan.forEach((node, d) -> configs.put(node, MeshPlanner.toDeviceConfig(d, shared)));
    long planned = System.nanoTime();

    AgentHttp http =
        new AgentHttp(pki.operatorClient, json, Duration.ofSeconds(5), Duration.ofSeconds(30));
    AgentPusher<DeviceConfig> pusher =
        new AgentPusher<>(
            http,
            16,
            Backoff.DEFAULT,
            Backoff.Sleeper.REAL,
            DeviceConfig::hash,
            ConfigDeltas::between,
            agent -> null);
    Map<Agent, DeviceConfig> desired = new LinkedHashMap<>();
    configs.forEach((node, c) -> desired.put(new Agent(node, uri), c));
    Map<String, PushResult> results = pusher.pushAll(desired);
    long pushed = System.nanoTime();
    long fullBytes = http.bytesSent();
    long failed = results.values().stream().filter(r -> r instanceof PushResult.Failed).count();

    // One node joins: every other node gets a delta of one peer, the new node its full config.
    List<Ipam.Request> again = new ArrayList<>(requests);
    again.add(new Ipam.Request("node-zzzzz", List.of(), List.of()));
    Map<String, AddressOutcome> addresses2 =
        Ipam.allocate(mesh.pools().stream().map(Cidr::parse).toList(), again);
    List<NodeMember> nodes2 = new ArrayList<>(nodes);
    nodes2.add(
        new NodeMember(
            "node-zzzzz",
            key("N", 999_999),
            "10.0.0.1:51820",
            ips(addresses2.get("node-zzzzz")),
            List.of("10.200.0.0/24"),
            false));
    long j0 = System.nanoTime();
    Map<String, PlannedDevice> plan2 = TopologyPlanner.plan(mesh, nodes2, ext);
    Map<PlannedPeer, PeerConfig> shared2 = new IdentityHashMap<>();
    Map<Agent, DeviceConfig> desired2 = new LinkedHashMap<>();
    plan2.forEach(
        (node, d) -> desired2.put(new Agent(node, uri), MeshPlanner.toDeviceConfig(d, shared2)));
    long before = http.bytesSent();
    Map<String, PushResult> joinResults = pusher.pushAll(desired2);
    long j1 = System.nanoTime();
    long joinBytes = http.bytesSent() - before;
    long deltas =
        joinResults.values().stream()
            .filter(r -> r instanceof PushResult.Applied a && a.delta())
            .count();

    System.gc();
    long heapAfter = usedHeap();
    System.out.printf(
        "nodes=%d externals=%d | converge from empty: plan %d ms, push %d ms (%d full configs, %.1f MB, %d failed)"
            + " | one node joins: %d ms, %d deltas, %.1f KB pushed (%.0f bytes per existing node)"
            + " | heap held %.1f MB%n",
        n,
        externals,
        (planned - t0) / 1_000_000,
        (pushed - planned) / 1_000_000,
        configs.size(),
        fullBytes / 1e6,
        failed,
        (j1 - j0) / 1_000_000,
        deltas,
        joinBytes / 1e3,
        (double) joinBytes / n,
        (heapAfter - heapBefore) / 1e6);
    // Keep what a running operator keeps alive until the heap is measured.
    if (pusher.heldHash("node-00000").isEmpty()) {
      System.out.println("(no held hash)");
    }
    pusher.close();
    http.close();
  }

  static NodeMember node(int i, Map<String, AddressOutcome> addresses) {
    String name = String.format("node-%05d", i);
    return new NodeMember(
        name,
        key("N", i),
        "10." + (i / 250) + "." + (i % 250) + ".1:51820",
        ips(addresses.get(name)),
        List.of("10.100." + (i % 250) + ".0/24"),
        i < 3);
  }

  static List<String> ips(AddressOutcome o) {
    return ((AddressOutcome.Assigned) o).addresses().stream().map(Addresses::format).toList();
  }

  /** A distinct, well-formed 44-character base64 key. */
  static String key(String prefix, int i) {
    String body = prefix + String.format("%08d", i);
    return (body + "A".repeat(43 - body.length())) + "=";
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
