package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.PeerConfig;
import dev.wiremesh.api.agent.PeerStatus;
import dev.wiremesh.api.crd.v1alpha1.KeyRotationStatus;
import dev.wiremesh.api.crd.v1alpha1.PeerConnection;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeerStatus;
import dev.wiremesh.operator.agent.PushResult;
import dev.wiremesh.operator.encryption.Enforcement;
import dev.wiremesh.operator.encryption.NodeEnforcement;
import dev.wiremesh.operator.nat.NatOutcome;
import dev.wiremesh.planner.ipam.AddressOutcome;
import dev.wiremesh.planner.ipam.Addresses;
import dev.wiremesh.planner.locations.NodeRole;
import dev.wiremesh.planner.mesh.MeshPlan;
import dev.wiremesh.planner.topology.ExternalMember;
import dev.wiremesh.planner.topology.MeshSettings;
import dev.wiremesh.planner.topology.NodeMember;
import dev.wiremesh.planner.topology.PlannedDevice;
import dev.wiremesh.planner.topology.PlannedPeer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes what one pass found into every peer's status — address, identity, handshake and traffic
 * from the agents, and the conditions Ready, Connected, AddressConflict and InvalidSpec — patching
 * a status only when it changed; writes the external peers' wg-quick Secrets; sums up the mesh.
 */
@ApplicationScoped
public class PeerStatusWriter {

  /** A handshake at most this old counts as connected (WireGuard rekeys every 2 minutes). */
  static final long CONNECTED_WITHIN_SECONDS = 180;

  @Inject KubernetesClient client;
  @Inject Clock clock;
  @Inject ExternalConfigSecrets configSecrets;

  MeshSync.Outcome write(
      WireGuardMesh mesh,
      MeshPlan meshPlan,
      List<WireGuardPeer> peers,
      Map<String, PushResult> pushes,
      Map<String, DeviceStatus> statuses,
      List<String> problems,
      Enforcement encryption,
      Map<String, KeyRotationStatus> rotations,
      NatOutcome nat) {
    MeshSettings settings = meshPlan.settings();
    Map<String, AddressOutcome> addresses = meshPlan.addresses();
    Map<String, String> invalid = meshPlan.invalid();
    Map<String, NodeMember> nodes = meshPlan.nodes();
    Map<String, ExternalMember> externals = meshPlan.externals();
    Map<String, Identity> identities = meshPlan.identities();
    Map<String, PlannedDevice> plan = meshPlan.devices();
    Instant now = clock.instant();
    int nodeCount = 0;
    int readyNodes = 0;
    int peerCount = 0;
    int connected = 0;
    // Planned nodes whose agent did not take its config, or is away (not pushed to at all).
    List<String> notApplied =
        plan.keySet().stream()
            .filter(
                n ->
                    !(pushes.get(n) instanceof PushResult.Applied
                        || pushes.get(n) instanceof PushResult.Unchanged))
            .toList();
    // Public key -> WireGuardPeer name, for each node's connections.
    Map<String, String> names = new java.util.HashMap<>();
    for (WireGuardPeer p : peers) {
      NodeMember m = p.getSpec().isExternal() ? null : nodes.get(p.getSpec().getNode());
      if (m != null) {
        names.put(m.publicKey(), p.getMetadata().getName());
      }
    }
    externals.forEach((n, e) -> names.put(e.publicKey(), n));
    Map<String, String> nodeOfKey = new java.util.HashMap<>();
    nodes.forEach((n, m) -> nodeOfKey.put(m.publicKey(), n));
    for (WireGuardPeer p : peers) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String name = p.getMetadata().getName();
      boolean external = p.getSpec().isExternal();
      WireGuardPeerStatus old = p.getStatus();
      List<Condition> previous = old == null ? List.of() : old.getConditions();
      WireGuardPeerStatus s = new WireGuardPeerStatus();
      Long gen = p.getMetadata().getGeneration();
      s.setObservedGeneration(gen);
      s.setKeyRotation(rotations.getOrDefault(name, old == null ? null : old.getKeyRotation()));
      List<Condition> conditions = new ArrayList<>();

      AddressOutcome a = addresses.get(name);
      String conflict = a instanceof AddressOutcome.Conflict c ? c.message() : null;
      String invalidMessage =
          a instanceof AddressOutcome.Invalid i
              ? i.message()
              : a instanceof AddressOutcome.Exhausted x ? x.message() : invalid.get(name);
      if (a instanceof AddressOutcome.Assigned assigned) {
        List<String> formatted = assigned.addresses().stream().map(Addresses::format).toList();
        s.setAddress(String.join(",", formatted));
        s.setAddresses(formatted);
      }
      conditions =
          Conditions.set(
              conditions,
              previous,
              "AddressConflict",
              conflict != null,
              conflict != null ? "AddressTaken" : "NoConflict",
              conflict != null ? conflict : "",
              gen,
              now);
      conditions =
          Conditions.set(
              conditions,
              previous,
              "InvalidSpec",
              invalidMessage != null,
              invalidMessage != null ? "InvalidSpec" : "Valid",
              invalidMessage != null ? invalidMessage : "",
              gen,
              now);

      // Where the peer must be applied, and what the agents see of it.
      List<String> mustHold = new ArrayList<>();
      long lastHandshake = 0;
      long rx = 0;
      long tx = 0;
      int reach = 0;
      int total = 0;
      // For a node: its tunnels to other nodes, which decide its Connected condition. Its tunnels
      // to
      // external peers (a gateway's laptops, which come and go) are counted in reach and total and
      // decide the external peer's own Connected condition, not the gateway's.
      int nodeTunnels = 0;
      int nodeTunnelsRecent = 0;
      // A node whose agent did not answer this pass's status poll: its tunnels cannot be seen.
      boolean agentUnseen = false;
      String observedEndpoint = null;
      if (external) {
        ExternalMember e = externals.get(name);
        s.setPublicKey(p.getSpec().getPublicKey());
        if (e != null) {
          for (var entry : plan.entrySet()) {
            if (hasPeer(entry.getValue(), e.publicKey())) {
              mustHold.add(entry.getKey());
              total++;
              PeerStatus ps = find(statuses.get(entry.getKey()), e.publicKey());
              if (ps != null) {
                lastHandshake = Math.max(lastHandshake, ps.lastHandshake());
                rx += ps.rxBytes();
                tx += ps.txBytes();
                if (recent(ps.lastHandshake(), now)) {
                  reach++;
                }
                if (ps.endpoint() != null && !ps.endpoint().isEmpty()) {
                  observedEndpoint = ps.endpoint();
                }
              }
            }
          }
          s.setConfigSecretRef(
              configSecrets.write(p, mesh, settings, e, List.copyOf(nodes.values())));
        }
        s.setEndpoint(
            p.getSpec().getEndpoint() != null ? p.getSpec().getEndpoint() : observedEndpoint);
      } else {
        String node = p.getSpec().getNode();
        NodeMember m = nodes.get(node);
        Identity id = identities.get(node);
        if (id != null) {
          s.setPublicKey(id.publicKey());
        } else if (old != null) {
          s.setPublicKey(old.getPublicKey());
        }
        NodeRole role = meshPlan.roles().get(node);
        if (role != null) {
          s.setRole(role.describe());
          s.setLocation(role.location());
        }
        if (m != null) {
          String published = nat == null ? null : nat.published(node);
          s.setEndpoint(published != null ? published : m.endpoint());
          mustHold.addAll(plan.keySet());
          PlannedDevice own = plan.get(node);
          DeviceStatus ds = statuses.get(node);
          total = own == null ? 0 : own.peers().size();
          agentUnseen = ds == null && total > 0;
          if (own != null) {
            List<PeerConnection> connections = new ArrayList<>();
            DeviceConfig pushed = meshPlan.configs().get(node);
            for (PlannedPeer pp : own.peers()) {
              PeerStatus ps = find(ds, pp.publicKey());
              PeerConnection c =
                  new PeerConnection(
                      names.get(pp.publicKey()),
                      ps == null || ps.lastHandshake() <= 0
                          ? null
                          : Instant.ofEpochSecond(ps.lastHandshake()).toString(),
                      ps == null ? null : ps.rxBytes(),
                      ps == null ? null : ps.txBytes());
              String other = nodeOfKey.get(pp.publicKey());
              if (nat != null && nat.active() && other != null) {
                c.setPath(nat.path(node, other));
                c.setEndpoint(endpointIn(pushed, pp.publicKey()));
                c.setEndpointSource(nat.published(other) != null ? "observed" : "advertised");
              }
              connections.add(c);
              boolean fresh = ps != null && recent(ps.lastHandshake(), now);
              if (ps != null) {
                lastHandshake = Math.max(lastHandshake, ps.lastHandshake());
                rx += ps.rxBytes();
                tx += ps.txBytes();
                if (fresh) {
                  reach++;
                }
              }
              if (other != null) {
                nodeTunnels++;
                if (fresh) {
                  nodeTunnelsRecent++;
                }
              }
            }
            s.setConnections(connections);
          }
        }
      }
      if (lastHandshake > 0) {
        s.setLastHandshakeTime(Instant.ofEpochSecond(lastHandshake).toString());
      }
      if (!mustHold.isEmpty()) {
        s.setRxBytes(rx);
        s.setTxBytes(tx);
        s.setConnectedPeers(reach);
        s.setTotalPeers(total);
      }

      List<String> missing = mustHold.stream().filter(notApplied::contains).toList();
      boolean ready = !mustHold.isEmpty() && missing.isEmpty();
      String readyMessage =
          ready
              ? "applied on " + mustHold.size() + " node(s)"
              : conflict != null
                  ? "not applied: address conflict"
                  : invalidMessage != null
                      ? "not applied: invalid spec"
                      : mustHold.isEmpty()
                          ? (external
                              ? "waiting for a ready gateway node"
                              : "waiting for the agent on node " + p.getSpec().getNode())
                          : "not yet applied on node(s) " + missing;
      conditions =
          Conditions.set(
              conditions,
              previous,
              "Ready",
              ready,
              ready ? "Applied" : "Pending",
              readyMessage,
              gen,
              now);
      // A Direct mode member has no tunnel at all: nothing to wait for once it is planned.
      boolean tunnelless =
          !external && meshPlan.roles().containsKey(p.getSpec().getNode()) && !mustHold.isEmpty();
      int connectedOf = external ? total : nodeTunnels;
      int connectedCount = external ? reach : nodeTunnelsRecent;
      boolean isConnected = connectedOf > 0 ? connectedCount == connectedOf : tunnelless;
      conditions =
          Conditions.set(
              conditions,
              previous,
              "Connected",
              isConnected,
              isConnected
                  ? "HandshakesRecent"
                  : agentUnseen ? "AgentUnreachable" : "NoRecentHandshake",
              agentUnseen
                  ? "the agent on node "
                      + p.getSpec().getNode()
                      + " did not answer the status poll: its "
                      + total
                      + " tunnel(s) cannot be seen (a partition, or the agent is down)"
                  : external
                      ? reach
                          + " of "
                          + total
                          + " gateway(s) with a handshake in the last "
                          + CONNECTED_WITHIN_SECONDS
                          + "s"
                      : nodeTunnelsRecent
                          + " of "
                          + nodeTunnels
                          + " node peer(s) with a handshake in the last "
                          + CONNECTED_WITHIN_SECONDS
                          + "s"
                          + (total > nodeTunnels
                              ? " (its "
                                  + (total - nodeTunnels)
                                  + " external peer(s) are reported on their own WireGuardPeer)"
                              : ""),
              gen,
              now);
      NodeEnforcement enforced = external ? null : encryption.nodes().get(p.getSpec().getNode());
      if (enforced != null) {
        conditions =
            Conditions.set(
                conditions,
                previous,
                "EncryptionEnforced",
                enforced.enforced(),
                enforced.reason(),
                enforced.message(),
                gen,
                now);
      } else if (!external && encryption.required()) {
        conditions =
            Conditions.set(
                conditions,
                previous,
                "EncryptionEnforced",
                false,
                "Pending",
                "the node is not planned yet (no agent identity or address)",
                gen,
                now);
      }
      s.setConditions(conditions);

      if (!Objects.equals(old, s)) {
        client
            .resources(WireGuardPeer.class)
            .withName(name)
            .editStatus(
                latest -> {
                  latest.setStatus(s);
                  return latest;
                });
      }
      peerCount++;
      if (isConnected) {
        connected++;
      }
      if (!external) {
        nodeCount++;
        if (ready) {
          readyNodes++;
        }
      }
    }
    List<String> allProblems = new ArrayList<>(problems);
    notApplied.forEach(n -> allProblems.add("agent on node " + n + " has not taken its config"));
    addresses.forEach(
        (n, o) -> {
          if (o instanceof AddressOutcome.Conflict c) {
            allProblems.add("peer " + n + ": " + c.message());
          }
        });
    invalid.forEach((n, m) -> allProblems.add("peer " + n + ": " + m));
    return new MeshSync.Outcome(
        nodeCount, readyNodes, peerCount, connected, allProblems, pushes, false);
  }

  private static String endpointIn(DeviceConfig c, String key) {
    if (c == null) {
      return null;
    }
    return c.peers().stream()
        .filter(p -> p.publicKey().equals(key))
        .map(PeerConfig::endpoint)
        .findFirst()
        .orElse(null);
  }

  private static boolean hasPeer(PlannedDevice d, String key) {
    return d.peers().stream().anyMatch(p -> p.publicKey().equals(key));
  }

  private static PeerStatus find(DeviceStatus s, String key) {
    if (s == null) {
      return null;
    }
    return s.peers().stream().filter(p -> key.equals(p.publicKey())).findFirst().orElse(null);
  }

  private static boolean recent(long handshake, Instant now) {
    return handshake > 0 && now.getEpochSecond() - handshake <= CONNECTED_WITHIN_SECONDS;
  }
}
