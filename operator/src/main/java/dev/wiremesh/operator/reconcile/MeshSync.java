package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.agent.AgentApi;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.crd.v1alpha1.LocationStatus;
import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.operator.agent.Agent;
import dev.wiremesh.operator.agent.AgentDiscovery;
import dev.wiremesh.operator.agent.AgentException;
import dev.wiremesh.operator.agent.PushResult;
import dev.wiremesh.operator.encryption.ApiServers;
import dev.wiremesh.operator.encryption.EncryptionPolicies;
import dev.wiremesh.operator.encryption.Enforcement;
import dev.wiremesh.operator.nat.NatOutcome;
import dev.wiremesh.operator.nat.NatTraversals;
import dev.wiremesh.operator.rotation.KeyRotations;
import dev.wiremesh.operator.rotation.PlannedKeys;
import dev.wiremesh.planner.locations.NodeLiveness;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.mesh.MeshPlanner;
import dev.wiremesh.planner.mesh.NodeIdentities;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  @Inject KeyRotations rotations;
  @Inject LeaderLiveness liveness;
  @Inject NatTraversals natTraversals;

  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, CachedIdentity> identities = new ConcurrentHashMap<>();

  private record CachedIdentity(Agent agent, Identity identity) {}

  /** What one pass saw and did, for the mesh's status and for a peer's finalizer. */
  public record Outcome(
      int nodes,
      int readyNodes,
      int peers,
      int connectedPeers,
      List<String> problems,
      Map<String, PushResult> pushes,
      boolean poolsInvalid,
      List<LocationStatus> locations,
      java.time.Duration recheckIn,
      Enforcement encryption,
      NatOutcome nat) {

    public Outcome(
        int nodes,
        int readyNodes,
        int peers,
        int connectedPeers,
        List<String> problems,
        Map<String, PushResult> pushes,
        boolean poolsInvalid) {
      this(
          nodes,
          readyNodes,
          peers,
          connectedPeers,
          problems,
          pushes,
          poolsInvalid,
          null,
          null,
          null,
          null);
    }

    /** This outcome with what the status writer does not see: locations, encryption, NAT. */
    Outcome withTopology(
        List<LocationStatus> locations,
        java.time.Duration recheckIn,
        Enforcement encryption,
        NatOutcome nat) {
      return new Outcome(
          nodes,
          readyNodes,
          peers,
          connectedPeers,
          problems,
          pushes,
          poolsInvalid,
          locations,
          recheckIn,
          encryption,
          nat);
    }
  }

  /** Forgets the cached agent identities, as a restart does. */
  public void reset() {
    identities.clear();
    natTraversals.reset();
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
    List<String> problems = MeshPlanner.poolProblems(mesh);
    if (!problems.isEmpty()) {
      return new Outcome(0, 0, 0, 0, problems, Map.of(), true);
    }
    problems = new ArrayList<>(problems);
    String rotationProblem = KeyRotations.specProblem(mesh);
    if (rotationProblem != null) {
      problems.add(rotationProblem);
    }

    // 1. A peer for every selected node.
    List<Node> allNodes = client.nodes().list().getItems();
    Map<String, Node> nodes = MeshPlanner.selectedNodes(mesh, allNodes);
    if (NodePeers.ensure(client, mesh, nodes, peersOf(meshName))) {
      LOG.debugf("mesh %s: node peers created or deleted", meshName);
    }
    List<WireGuardPeer> all = peersOf(meshName);

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

    // 3. IPAM, members and the plan: the shared planner (planner/), with the agents' identities.
    // An agent that is away for a moment (restarting, being updated) keeps its place in the others'
    // configurations under the identity it last reported: dropping it would cut its tunnels and
    // push to every node twice.
    // A node whose key rotates is planned under its next key while that is distributed, and
    // marked with the key it replaces so the other agents re-key it in place.
    PlannedKeys keys = PlannedKeys.of(all);
    boolean locations =
        mesh.getSpec().effectiveTopology().effectiveMode() == MeshTopology.Mode.Locations;
    MeshPlan planned =
        MeshPlanner.plan(
            mesh,
            nodes,
            all,
            (nodeName, peer) -> {
              Agent agent = agentsByNode.get(nodeName);
              Identity id = agent != null ? identity(agent) : null;
              return keys.plan(nodeName, id != null ? id : lastKnownIdentity(nodeName, peer));
            },
            ref -> client.secrets().inNamespace(ref.getNamespace()).withName(ref.getName()).get(),
            locations
                ? liveness.observe(meshName, nodes.keySet(), statuses.keySet())
                : NodeLiveness.ALL);
    // NAT traversal: nodes behind NAT at the public endpoint the others see, keepalives, relays.
    NatOutcome nat =
        natTraversals.apply(
            mesh, planned, all, statuses, config.nat().attempt(), config.nat().settle());
    MeshPlan plan = planned.withConfigs(keys.withPreviousKeys(nat.configs()));
    if (locations) {
      LeaderLiveness.logChanges(
          meshName,
          mesh.getStatus() == null ? null : mesh.getStatus().getLocations(),
          plan.locations());
    } else {
      liveness.forget(meshName);
    }

    // 4. Push, with the mesh's encryption policy for the agents that know it.
    EncryptionPolicy policy =
        EncryptionPolicies.of(
            mesh,
            ApiServers.of(
                client.getMasterUrl() == null ? null : client.getMasterUrl().toString(),
                config.encryption().apiServers().orElse(List.of())));
    Map<Agent, DeviceConfig> desired = new LinkedHashMap<>();
    EncryptionPolicies.apply(plan.configs(), policy, statuses)
        .forEach(
            (node, c) -> {
              Agent agent = agentsByNode.get(node);
              if (agent != null) {
                desired.put(agent, c);
              }
            });
    Map<String, PushResult> pushes = agents.pusher().pushAll(desired);
    pushes.forEach(
        (node, r) -> {
          if (r instanceof PushResult.Failed f) {
            LOG.warnf("mesh %s: %s", meshName, f.error().getMessage());
          }
        });

    // 5. Key rotations: at most one step per node on its agent.
    var rotationStatuses =
        rotations.advance(
            mesh,
            all,
            plan,
            agentsByNode,
            statuses,
            pushes,
            agents.http(),
            this::identity,
            (agent, id) -> identities.put(agent.node(), new CachedIdentity(agent, id)));

    // 6. Status of every peer, config Secrets of external peers, and the aggregates.
    Enforcement enforcement = Enforcement.of(policy.required(), plan.configs().keySet(), statuses);
    return statusWriter
        .write(mesh, plan, all, pushes, statuses, problems, enforcement, rotationStatuses, nat)
        .withTopology(
            plan.locations(),
            sooner(liveness.recheckIn(meshName, plan.locations(), nodes), nat.recheckIn()),
            enforcement,
            nat);
  }

  private static java.time.Duration sooner(java.time.Duration a, java.time.Duration b) {
    return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
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
   * in its peer's status, or null for a node that never had a working agent.
   */
  private Identity lastKnownIdentity(String nodeName, WireGuardPeer peer) {
    CachedIdentity cached = identities.get(nodeName);
    return cached != null ? cached.identity() : NodeIdentities.recorded(peer);
  }
}
