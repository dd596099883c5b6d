package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed of a mesh. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WireGuardMeshStatus {
  @JsonPropertyDescription("Nodes the mesh selects.")
  private Integer nodes;

  @JsonPropertyDescription("Selected nodes whose agent applied the mesh's configuration.")
  private Integer readyNodes;

  @JsonPropertyDescription("WireGuardPeers in the mesh, node peers and external peers.")
  private Integer peers;

  @JsonPropertyDescription("Peers with a handshake within the last 3 minutes.")
  private Integer connectedPeers;

  @JsonPropertyDescription(
      "With topology mode Locations: every location, sorted by name, with its leader and how many"
          + " nodes it has.")
  private List<LocationStatus> locations;

  @JsonPropertyDescription(
      "Whether plaintext between members is blocked: Preferred (spec.encryption is Preferred),"
          + " Enforced (Required, and every selected node's agent has its rules installed) or"
          + " NotEnforced (Required, but some node has not: the EncryptionEnforced condition says"
          + " which and why).")
  private String encryption;

  @JsonPropertyDescription("With encryption Required: selected nodes whose agent enforces it.")
  private Integer enforcedNodes;

  @JsonPropertyDescription(
      "With NAT traversal (spec.natTraversal mode Auto): pairs of nodes whose tunnel is direct.")
  private Integer directPairs;

  @JsonPropertyDescription(
      "With NAT traversal: pairs of nodes without a direct path, relayed through a reachable node"
          + " (each node's status.connections names the relay).")
  private Integer relayedPairs;

  @JsonPropertyDescription("The generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready: every selected node applied the configuration. Degraded: some node or peer is not"
          + " ready or not connected; the message says which. EncryptionEnforced (with encryption"
          + " Required): every selected node's agent enforces it; the message names those that do"
          + " not.")
  private List<Condition> conditions = new ArrayList<>();

  public Integer getNodes() {
    return nodes;
  }

  public void setNodes(Integer nodes) {
    this.nodes = nodes;
  }

  public Integer getReadyNodes() {
    return readyNodes;
  }

  public void setReadyNodes(Integer readyNodes) {
    this.readyNodes = readyNodes;
  }

  public Integer getPeers() {
    return peers;
  }

  public void setPeers(Integer peers) {
    this.peers = peers;
  }

  public Integer getConnectedPeers() {
    return connectedPeers;
  }

  public void setConnectedPeers(Integer connectedPeers) {
    this.connectedPeers = connectedPeers;
  }

  public List<LocationStatus> getLocations() {
    return locations;
  }

  public void setLocations(List<LocationStatus> locations) {
    this.locations = locations;
  }

  public String getEncryption() {
    return encryption;
  }

  public void setEncryption(String encryption) {
    this.encryption = encryption;
  }

  public Integer getEnforcedNodes() {
    return enforcedNodes;
  }

  public void setEnforcedNodes(Integer enforcedNodes) {
    this.enforcedNodes = enforcedNodes;
  }

  public Integer getDirectPairs() {
    return directPairs;
  }

  public void setDirectPairs(Integer directPairs) {
    this.directPairs = directPairs;
  }

  public Integer getRelayedPairs() {
    return relayedPairs;
  }

  public void setRelayedPairs(Integer relayedPairs) {
    this.relayedPairs = relayedPairs;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WireGuardMeshStatus s
        && Objects.equals(nodes, s.nodes)
        && Objects.equals(readyNodes, s.readyNodes)
        && Objects.equals(peers, s.peers)
        && Objects.equals(connectedPeers, s.connectedPeers)
        && Objects.equals(locations, s.locations)
        && Objects.equals(encryption, s.encryption)
        && Objects.equals(enforcedNodes, s.enforcedNodes)
        && Objects.equals(directPairs, s.directPairs)
        && Objects.equals(relayedPairs, s.relayedPairs)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        nodes,
        readyNodes,
        peers,
        connectedPeers,
        locations,
        encryption,
        enforcedNodes,
        directPairs,
        relayedPairs,
        observedGeneration,
        conditions);
  }
}
