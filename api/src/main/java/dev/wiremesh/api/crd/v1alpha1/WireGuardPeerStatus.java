package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed of a peer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WireGuardPeerStatus {
  @JsonPropertyDescription("The peer's public key (for a node peer, reported by its agent).")
  private String publicKey;

  @JsonPropertyDescription(
      "The tunnel addresses allocated to the peer (or validated, when the spec sets one), one per"
          + " address pool, comma-separated, IPv4 first: for display (kubectl get wgp).")
  private String address;

  @JsonPropertyDescription(
      "The same tunnel addresses as a list, one per address pool, IPv4 first: for programs.")
  private List<String> addresses;

  @JsonPropertyDescription(
      "For a node of a mesh with topology mode Locations: \"Leader of LOCATION\" for the node that"
          + " carries its location's traffic to the other locations, \"Member of LOCATION\" for"
          + " the others. Absent in a full mesh and for external peers.")
  private String role;

  @JsonPropertyDescription(
      "For a node of a mesh with topology mode Locations: its location (the value of the mesh's"
          + " location label, or the node's name when the node has no such label).")
  private String location;

  @JsonPropertyDescription("Where the peer was last seen (host:port), as its peers report.")
  private String endpoint;

  @JsonPropertyDescription("The most recent handshake any peer reported with this one (RFC 3339).")
  private String lastHandshakeTime;

  @JsonPropertyDescription("Bytes received from this peer, summed over the agents that reach it.")
  private Long rxBytes;

  @JsonPropertyDescription("Bytes sent to this peer, summed over the agents that reach it.")
  private Long txBytes;

  @JsonPropertyDescription("Peers with a handshake with this one within the last 3 minutes.")
  private Integer connectedPeers;

  @JsonPropertyDescription("Peers this one should reach.")
  private Integer totalPeers;

  @JsonPropertyDescription(
      "For a node peer: each tunnel its agent should hold, by the WireGuardPeer at the other end,"
          + " with that tunnel's last handshake and bytes (kubectl wiremesh status and graph show"
          + " them).")
  private List<PeerConnection> connections;

  @JsonPropertyDescription(
      "For an external peer: the Secret holding its ready wg-quick configuration (without its private key).")
  private SecretRef configSecretRef;

  @JsonPropertyDescription(
      "For a node peer: the rotation of its WireGuard key, on a schedule (the mesh's"
          + " spec.keyRotation.interval) or on demand (the wiremesh.dev/rotate-key annotation).")
  private KeyRotationStatus keyRotation;

  @JsonPropertyDescription("The generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready: applied on every agent that must hold it. Connected: a handshake within the last 3"
          + " minutes with every peer it should reach; False with reason AgentUnreachable as soon as"
          + " the node's agent does not answer a status poll (one every resync, 30 s by default)."
          + " AddressConflict: the address in the spec is"
          + " taken or outside the pools. InvalidSpec: the spec is wrong in a way the schema cannot"
          + " tell; the message says what to change. EncryptionEnforced (node peers of a mesh with"
          + " encryption Required): the node's agent has its nftables rules installed; False with"
          + " the reason when it has not.")
  private List<Condition> conditions = new ArrayList<>();

  public String getPublicKey() {
    return publicKey;
  }

  public void setPublicKey(String publicKey) {
    this.publicKey = publicKey;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public List<String> getAddresses() {
    return addresses;
  }

  public void setAddresses(List<String> addresses) {
    this.addresses = addresses;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getLastHandshakeTime() {
    return lastHandshakeTime;
  }

  public void setLastHandshakeTime(String lastHandshakeTime) {
    this.lastHandshakeTime = lastHandshakeTime;
  }

  public Long getRxBytes() {
    return rxBytes;
  }

  public void setRxBytes(Long rxBytes) {
    this.rxBytes = rxBytes;
  }

  public Long getTxBytes() {
    return txBytes;
  }

  public void setTxBytes(Long txBytes) {
    this.txBytes = txBytes;
  }

  public Integer getConnectedPeers() {
    return connectedPeers;
  }

  public void setConnectedPeers(Integer connectedPeers) {
    this.connectedPeers = connectedPeers;
  }

  public Integer getTotalPeers() {
    return totalPeers;
  }

  public void setTotalPeers(Integer totalPeers) {
    this.totalPeers = totalPeers;
  }

  public List<PeerConnection> getConnections() {
    return connections;
  }

  public void setConnections(List<PeerConnection> connections) {
    this.connections = connections;
  }

  public SecretRef getConfigSecretRef() {
    return configSecretRef;
  }

  public void setConfigSecretRef(SecretRef configSecretRef) {
    this.configSecretRef = configSecretRef;
  }

  public KeyRotationStatus getKeyRotation() {
    return keyRotation;
  }

  public void setKeyRotation(KeyRotationStatus keyRotation) {
    this.keyRotation = keyRotation;
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
    return o instanceof WireGuardPeerStatus s
        && Objects.equals(publicKey, s.publicKey)
        && Objects.equals(keyRotation, s.keyRotation)
        && Objects.equals(address, s.address)
        && Objects.equals(addresses, s.addresses)
        && Objects.equals(role, s.role)
        && Objects.equals(location, s.location)
        && Objects.equals(endpoint, s.endpoint)
        && Objects.equals(lastHandshakeTime, s.lastHandshakeTime)
        && Objects.equals(rxBytes, s.rxBytes)
        && Objects.equals(txBytes, s.txBytes)
        && Objects.equals(connectedPeers, s.connectedPeers)
        && Objects.equals(totalPeers, s.totalPeers)
        && Objects.equals(connections, s.connections)
        && Objects.equals(configSecretRef, s.configSecretRef)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        publicKey,
        address,
        addresses,
        role,
        location,
        endpoint,
        lastHandshakeTime,
        rxBytes,
        txBytes,
        connectedPeers,
        totalPeers,
        connections,
        configSecretRef,
        observedGeneration,
        conditions);
  }
}
