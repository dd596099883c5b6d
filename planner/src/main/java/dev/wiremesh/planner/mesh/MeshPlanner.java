package dev.wiremesh.planner.mesh;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.RouteConfig;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.SecretKeyRef;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.planner.ipam.AddressOutcome;
import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.ipam.Cidr;
import dev.wiremesh.planner.ipam.ExternalPeerPools;
import dev.wiremesh.planner.ipam.Ipam;
import dev.wiremesh.planner.locations.LocationPlan;
import dev.wiremesh.planner.locations.MeshLocations;
import dev.wiremesh.planner.locations.NodeLiveness;
import dev.wiremesh.planner.locations.PlannedRoute;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.PlannedPeer;
import dev.wiremesh.planner.topology.TopologyPlanner;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * From a mesh's resources to every node's DeviceConfig: the nodes it selects, IPAM over its active
 * peers, the members (nodes with an identity and addresses, valid external peers with addresses),
 * the topology planner, and the protocol's configurations with their hashes. The operator runs it
 * on every pass; {@code kubectl wiremesh plan} runs it on the cluster's state with a change
 * applied.
 */
public final class MeshPlanner {

  private MeshPlanner() {}

  /** What is wrong with the mesh's address pools, each naming the field; empty when they parse. */
  public static List<String> poolProblems(WireGuardMesh mesh) {
    List<String> problems = new ArrayList<>();
    List<Cidr> pools = new ArrayList<>();
    for (String p : mesh.getSpec().getAddressPools()) {
      try {
        pools.add(Cidr.parse(p));
      } catch (IllegalArgumentException e) {
        problems.add("spec.addressPools: " + e.getMessage());
      }
    }
    if (problems.isEmpty()) {
      problems.addAll(ExternalPeerPools.problems(pools, mesh.getSpec().getExternalPeerPools()));
    }
    return problems;
  }

  /** The nodes the mesh selects (and that are not being deleted), by name. */
  public static Map<String, Node> selectedNodes(WireGuardMesh mesh, List<Node> nodes) {
    return nodes.stream()
        .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
        .filter(
            n -> Selectors.matches(mesh.getSpec().getNodeSelector(), n.getMetadata().getLabels()))
        .collect(
            Collectors.toMap(n -> n.getMetadata().getName(), n -> n, (a, b) -> a, TreeMap::new));
  }

  /** The planner's view of the mesh's spec, defaults applied. The pools must parse. */
  public static MeshSettings settings(WireGuardMesh mesh) {
    return new MeshSettings(
        mesh.getSpec().effectiveInterfaceName(),
        mesh.getSpec().effectiveListenPort(),
        mesh.getSpec().effectiveMtu(),
        mesh.getSpec().effectivePersistentKeepalive(),
        mesh.getSpec().effectiveRoutePodCIDRs(),
        mesh.getSpec().getAddressPools(),
        externalPeerPools(mesh).stream()
            .map(c -> Addresses.canonicalNetwork(c.toString()))
            .toList());
  }

  /** The parts of the mesh's pools reserved for external peers, defaults applied. */
  public static List<Cidr> externalPeerPools(WireGuardMesh mesh) {
    return ExternalPeerPools.of(
        mesh.getSpec().getAddressPools().stream().map(Cidr::parse).toList(),
        mesh.getSpec().getExternalPeerPools());
  }

  /**
   * Plans the mesh. The pools must be valid ({@link #poolProblems} empty).
   *
   * @param nodes the nodes the mesh selects, by name ({@link #selectedNodes})
   * @param peers the mesh's WireGuardPeers; those being deleted take no part
   * @param identities each node's identity; a node without one takes no part yet
   * @param secrets looks up the Secrets that external peers' preshared keys are in
   */
  public static MeshPlan plan(
      WireGuardMesh mesh,
      Map<String, Node> nodes,
      List<WireGuardPeer> peers,
      NodeIdentities identities,
      Function<SecretKeyRef, Secret> secrets) {
    return plan(mesh, nodes, peers, identities, secrets, NodeLiveness.ALL);
  }

  /**
   * The same, with the agents' liveness for choosing location leaders (topology mode Locations):
   * the operator's view from its status polls.
   */
  public static MeshPlan plan(
      WireGuardMesh mesh,
      Map<String, Node> nodes,
      List<WireGuardPeer> peers,
      NodeIdentities identities,
      Function<SecretKeyRef, Secret> secrets,
      NodeLiveness liveness) {
    List<Cidr> pools = mesh.getSpec().getAddressPools().stream().map(Cidr::parse).toList();
    List<WireGuardPeer> active =
        peers.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();

    // IPAM over the active peers.
    List<Ipam.Request> requests = new ArrayList<>();
    for (WireGuardPeer p : active) {
      String recorded = p.getStatus() == null ? null : p.getStatus().getAddress();
      requests.add(
          new Ipam.Request(
              p.getMetadata().getName(),
              p.getSpec().getAddress() == null ? List.of() : List.of(p.getSpec().getAddress()),
              recorded == null || recorded.isBlank()
                  ? List.of()
                  : Arrays.asList(recorded.split(",")),
              p.getSpec().isExternal()));
    }
    Map<String, AddressOutcome> addresses = Ipam.allocate(pools, externalPeerPools(mesh), requests);

    // Members: nodes with an identity and addresses; valid external peers with addresses.
    MeshSettings settings = settings(mesh);
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
          String psk = PresharedKeys.read(p.getSpec().getPresharedKeySecretRef(), secrets);
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
      Identity id = identities.of(nodeName, p);
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

    Map<String, DeviceConfig> configs = new TreeMap<>();
    Map<PlannedPeer, PeerConfig> shared = new IdentityHashMap<>();
    if (mesh.getSpec().effectiveTopology().effectiveMode() == MeshTopology.Mode.Locations) {
      MeshLocations.Result located =
          MeshLocations.plan(mesh, settings, nodeMembers, nodes, liveness, externals.values());
      LocationPlan lp = located.plan();
      lp.devices()
          .forEach(
              (node, d) ->
                  configs.put(
                      node, toDeviceConfig(d, shared, lp.forwarding(node), lp.routes(node))));
      return new MeshPlan(
          settings,
          addresses,
          located.members(),
          externals,
          invalid,
          identityByNode,
          lp.devices(),
          configs,
          lp.roles(),
          located.locations());
    }
    Map<String, PlannedDevice> devices =
        TopologyPlanner.plan(settings, nodeMembers.values(), externals.values());
    devices.forEach((node, d) -> configs.put(node, toDeviceConfig(d, shared)));
    return new MeshPlan(
        settings,
        addresses,
        nodeMembers,
        externals,
        invalid,
        identityByNode,
        devices,
        configs,
        Map.of(),
        null);
  }

  /** The agent's first reported endpoint, else the Node's InternalIP with the mesh's port. */
  public static String endpoint(Identity id, Node node, int listenPort) {
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
  public static DeviceConfig toDeviceConfig(PlannedDevice d, Map<PlannedPeer, PeerConfig> shared) {
    return toDeviceConfig(d, shared, false, List.of());
  }

  /** The same, for a node that forwards or has routes outside the tunnel (locations). */
  public static DeviceConfig toDeviceConfig(
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
