package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.agent.AgentApi;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.RouteConfig;
import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentDiscovery;
import dev.wiremesh.operator.agent.AgentException;
import dev.wiremesh.operator.agent.PushResult;
import dev.wiremesh.operator.ipam.AddressOutcome;
import dev.wiremesh.operator.ipam.Addresses;
import dev.wiremesh.operator.ipam.Cidr;
import dev.wiremesh.operator.ipam.Ipam;
import dev.wiremesh.operator.topology.ExternalMember;
import dev.wiremesh.operator.topology.MeshSettings;
import dev.wiremesh.operator.topology.NodeMember;
import dev.wiremesh.operator.topology.PlannedDevice;
import dev.wiremesh.operator.topology.PlannedPeer;
import dev.wiremesh.operator.topology.locations.PlannedRoute;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * One pass over a mesh: node peers, agents, IPAM, plan, push, status. Both reconcilers call it (the
 * mesh's on every change and resync, a peer's cleanup before its finalizer goes); passes over one
 * mesh never overlap.
 */
@ApplicationScoped
public class MeshSync {

  private static final Logger LOG = Logger.getLogger(MeshSync.class);

  @Inject KubernetesClient client;
  @Inject OperatorConfig config;
  @Inject AgentBeans agents;
  @Inject PeerStatusWriter statusWriter;
  @Inject PresharedKeys presharedKeys;
  @Inject LocationTopology topologies;

  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, CachedIdentity> identities = new ConcurrentHashMap<>();

  private record CachedIdentity(Agent agent, Identity identity) {}

  /**
   * What one pass saw and did, for the mesh's status and for a peer's finalizer.
   *
   * @param locations with the location topology, the locations and their leaders; else null
   * @param recheckIn how soon the mesh must be looked at again (a leader's failover time), or null
   */
  public record Outcome(
      int nodes,
      int readyNodes,
      int peers,
      int connectedPeers,
      List<String> problems,
      Map<String, PushResult> pushes,
      boolean poolsInvalid,
      List<LocationStatus> locations,
      java.time.Duration recheckIn) {

    public Outcome(
        int nodes,
        int readyNodes,
        int peers,
        int connectedPeers,
        List<String> problems,
        Map<String, PushResult> pushes,
        boolean poolsInvalid) {
      this(nodes, readyNodes, peers, connectedPeers, problems, pushes, poolsInvalid, null, null);
    }

    Outcome withLocations(List<LocationStatus> locations, java.time.Duration recheckIn) {
      return new Outcome(
          nodes,
          readyNodes,
          peers,
          connectedPeers,
          problems,
          pushes,
          poolsInvalid,
          locations,
          recheckIn);
    }
  }

  /** Forgets the cached agent identities, as a restart does. */
  public void reset() {
    identities.clear();
  }

  /** Runs one pass over {@code meshName}; empty when the mesh does not exist. */
  public Optional<Outcome> sync(String meshName) {
    synchronized (locks.computeIfAbsent(meshName, k -> new Object())) {
      WireGuardMesh mesh = client.resources(WireGuardMesh.class).withName(meshName).get();
      if (mesh == null) {
        return Optional.empty();
      }
      return Optional.of(pass(mesh));
    }
  }

  private Outcome pass(WireGuardMesh mesh) {
    String meshName = mesh.getMetadata().getName();
    List<String> problems = new ArrayList<>();
    List<Cidr> pools = new ArrayList<>();
    for (String p : mesh.getSpec().getAddressPools()) {
      try {
        pools.add(Cidr.parse(p));
      } catch (IllegalArgumentException e) {
        problems.add("spec.addressPools: " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      return new Outcome(0, 0, 0, 0, problems, Map.of(), true);
    }

    // 1. A peer for every selected node.
    List<Node> allNodes = client.nodes().list().getItems();
    Map<String, Node> nodes = NodePeers.selected(mesh, allNodes);
    if (NodePeers.ensure(client, mesh, nodes, peersOf(meshName))) {
      LOG.debugf("mesh %s: node peers created or deleted", meshName);
    }
    List<WireGuardPeer> all = peersOf(meshName);
    List<WireGuardPeer> active =
        all.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();

    // 2. Agents, their status (which also tells the pusher what each holds) and identities.
    Map<String, Agent> agentsByNode =
        AgentDiscovery.fromPods(
            client
                .pods()
                .inNamespace(config.namespace())
                .withLabelSelector(config.agent().selector())
                .list()
                .getItems(),
            config.agent().port());
    Map<String, DeviceStatus> statuses = pollStatuses(agentsByNode);
    // An agent that reports another public key than the one cached (its state was lost, it made a
    // new key) is asked for its identity again.
    statuses.forEach(
        (node, st) -> {
          CachedIdentity c = identities.get(node);
          if (c != null
              && st.publicKey() != null
              && !st.publicKey().equals(c.identity().publicKey())) {
            identities.remove(node);
          }
        });

    // 3. IPAM over the active peers.
    List<Ipam.Request> requests = new ArrayList<>();
    for (WireGuardPeer p : active) {
      String recorded = p.getStatus() == null ? null : p.getStatus().getAddress();
      requests.add(
          new Ipam.Request(
              p.getMetadata().getName(),
              p.getSpec().getAddress() == null ? List.of() : List.of(p.getSpec().getAddress()),
              recorded == null || recorded.isBlank()
                  ? List.of()
                  : Arrays.asList(recorded.split(","))));
    }
    Map<String, AddressOutcome> addresses = Ipam.allocate(pools, requests);

    // 4. Members: nodes with an identity and addresses; valid external peers with addresses.
    MeshSettings settings =
        new MeshSettings(
            mesh.getSpec().effectiveInterfaceName(),
            mesh.getSpec().effectiveListenPort(),
            mesh.getSpec().effectiveMtu(),
            mesh.getSpec().effectivePersistentKeepalive(),
            mesh.getSpec().effectiveRoutePodCIDRs(),
            mesh.getSpec().getAddressPools());
    Map<String, NodeMember> nodeMembers = new TreeMap<>();
    Map<String, ExternalMember> externals = new TreeMap<>();
    Map<String, String> invalid = new HashMap<>();
    Map<String, Identity> identityByNode = new HashMap<>();
    for (WireGuardPeer p : active) {
      String name = p.getMetadata().getName();
      if (!(addresses.get(name) instanceof AddressOutcome.Assigned assigned)) {
        continue;
      }
      List<String> ips = assigned.addresses().stream().map(Addresses::format).toList();
      if (p.getSpec().isExternal()) {
        try {
          String psk = presharedKeys.read(p.getSpec().getPresharedKeySecretRef());
          externals.put(
              name,
              new ExternalMember(
                  name,
                  p.getSpec().getPublicKey(),
                  p.getSpec().getEndpoint(),
                  ips,
                  p.getSpec().getAllowedIPs() == null ? List.of() : p.getSpec().getAllowedIPs(),
                  p.getSpec().getPersistentKeepalive(),
                  psk));
        } catch (IllegalArgumentException e) {
          invalid.put(name, e.getMessage());
        }
        continue;
      }
      String nodeName = p.getSpec().getNode();
      Node node = nodes.get(nodeName);
      if (node == null) {
        continue;
      }
      Agent agent = agentsByNode.get(nodeName);
      // An agent that is away for a moment (restarting, being updated) keeps its place in the
      // others' configurations under the identity it last reported: dropping it would cut its
      // tunnels and push to every node twice.
      Identity id = agent != null ? identity(agent) : null;
      if (id == null) {
        id = lastKnownIdentity(nodeName, p);
      }
      if (id == null) {
        continue;
      }
      identityByNode.put(nodeName, id);
      boolean gateway =
          Selectors.matches(mesh.getSpec().getGatewaySelector(), node.getMetadata().getLabels());
      nodeMembers.put(
          nodeName,
          new NodeMember(
              nodeName,
              id.publicKey(),
              endpoint(id, node, settings.listenPort()),
              ips,
              node.getSpec() == null || node.getSpec().getPodCIDRs() == null
                  ? List.of()
                  : node.getSpec().getPodCIDRs(),
              gateway));
    }

    // 5. Plan (a full mesh, or locations with their leaders) and push.
    MeshPlan meshPlan =
        topologies.plan(mesh, settings, nodeMembers, nodes, statuses.keySet(), externals.values());
    Map<String, PlannedDevice> plan = meshPlan.devices();
    nodeMembers = meshPlan.members();
    Map<Agent, DeviceConfig> desired = new LinkedHashMap<>();
    Map<String, DeviceConfig> desiredByNode = new TreeMap<>();
    Map<PlannedPeer, PeerConfig> shared = new java.util.IdentityHashMap<>();
    plan.forEach(
        (node, d) -> {
          DeviceConfig c =
              toDeviceConfig(d, shared, meshPlan.forwarding(node), meshPlan.routes(node));
          Agent agent = agentsByNode.get(node);
          if (agent != null) {
            desired.put(agent, c);
          }
          desiredByNode.put(node, c);
        });
    Map<String, PushResult> pushes = agents.pusher().pushAll(desired);
    pushes.forEach(
        (node, r) -> {
          if (r instanceof PushResult.Failed f) {
            LOG.warnf("mesh %s: %s", meshName, f.error().getMessage());
          }
        });

    // 6. Status of every peer, config Secrets of external peers, and the aggregates.
    return statusWriter
        .write(
            mesh,
            settings,
            all,
            addresses,
            invalid,
            nodeMembers,
            externals,
            identityByNode,
            plan,
            meshPlan.roles(),
            desiredByNode,
            pushes,
            statuses,
            problems)
        .withLocations(meshPlan.locations(), meshPlan.recheckIn());
  }

  private List<WireGuardPeer> peersOf(String meshName) {
    return client.resources(WireGuardPeer.class).list().getItems().stream()
        .filter(p -> p.getSpec() != null && meshName.equals(p.getSpec().getMesh()))
        .toList();
  }

  private Map<String, DeviceStatus> pollStatuses(Map<String, Agent> agentsByNode) {
    Map<String, DeviceStatus> out = new ConcurrentHashMap<>();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      agentsByNode.forEach(
          (node, agent) ->
              futures.add(
                  executor.submit(
                      () -> {
                        try {
                          DeviceStatus s =
                              agents.http().get(agent, AgentApi.STATUS, DeviceStatus.class);
                          out.put(node, s);
                          agents.pusher().observed(node, s.appliedHash());
                        } catch (AgentException e) {
                          agents.pusher().forget(node);
                        }
                      })));
    }
    return out;
  }

  private Identity identity(Agent agent) {
    CachedIdentity cached = identities.get(agent.node());
    if (cached != null && cached.agent().equals(agent)) {
      return cached.identity();
    }
    try {
      Identity id = agents.http().get(agent, AgentApi.IDENTITY, Identity.class);
      identities.put(agent.node(), new CachedIdentity(agent, id));
      return id;
    } catch (AgentException e) {
      LOG.warnf("no identity from %s: %s", agent.node(), e.getMessage());
      return null;
    }
  }

  /**
   * The identity a node's agent reported last: cached since this operator started, else as recorded
   * in its peer's status (the public key and where it was seen), or null for a node that never had
   * a working agent.
   */
  private Identity lastKnownIdentity(String nodeName, WireGuardPeer peer) {
    CachedIdentity cached = identities.get(nodeName);
    if (cached != null) {
      return cached.identity();
    }
    if (peer.getStatus() == null || peer.getStatus().getPublicKey() == null) {
      return null;
    }
    String seen = peer.getStatus().getEndpoint();
    return new Identity(
        peer.getStatus().getPublicKey(), 0, seen == null ? List.of() : List.of(seen));
  }

  /** The agent's first reported endpoint, else the Node's InternalIP with the mesh's port. */
  static String endpoint(Identity id, Node node, int listenPort) {
    if (!id.endpoints().isEmpty()) {
      return id.endpoints().getFirst();
    }
    if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
      for (NodeAddress a : node.getStatus().getAddresses()) {
        if ("InternalIP".equals(a.getType())) {
          String host = a.getAddress().contains(":") ? "[" + a.getAddress() + "]" : a.getAddress();
          return host + ":" + (id.listenPort() > 0 ? id.listenPort() : listenPort);
        }
      }
    }
    return null;
  }

  /**
   * The protocol's DeviceConfig for a planned device, with its hash. {@code shared} maps each
   * planned peer to one PeerConfig for the whole pass: a node's peer entry is the same object in
   * every other node's config, so n configs of n peers hold n peer objects, not n squared.
   */
  static DeviceConfig toDeviceConfig(PlannedDevice d, Map<PlannedPeer, PeerConfig> shared) {
    return toDeviceConfig(d, shared, false, List.of());
  }

  /** The same, for a node that forwards or has routes outside the tunnel (locations). */
  static DeviceConfig toDeviceConfig(
      PlannedDevice d,
      Map<PlannedPeer, PeerConfig> shared,
      boolean forwarding,
      List<PlannedRoute> routes) {
    List<PeerConfig> peers =
        d.peers().stream()
            .map(
                p ->
                    shared.computeIfAbsent(
                        p,
                        k ->
                            new PeerConfig(
                                k.publicKey(),
                                k.presharedKey(),
                                k.endpoint(),
                                k.allowedIPs(),
                                k.persistentKeepalive())))
            .toList();
    return new DeviceConfig(
            null,
            d.interfaceName(),
            d.addresses(),
            d.listenPort(),
            d.mtu(),
            peers,
            forwarding,
            routes.stream().map(r -> new RouteConfig(r.to(), r.via(), r.src())).toList())
        .withHash();
  }
}
