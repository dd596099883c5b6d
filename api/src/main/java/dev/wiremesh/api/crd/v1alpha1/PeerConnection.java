package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One tunnel of a node, as its agent reports it: the other end, its last handshake, its bytes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PeerConnection {
  @JsonPropertyDescription("The WireGuardPeer at the other end.")
  private String peer;

  @JsonPropertyDescription("The last handshake on this tunnel (RFC 3339); absent when never.")
  private String lastHandshakeTime;

  @JsonPropertyDescription("Bytes this node received from the other end.")
  private Long rxBytes;

  @JsonPropertyDescription("Bytes this node sent to the other end.")
  private Long txBytes;

  @JsonPropertyDescription(
      "How this node reaches the other end: Direct, or 'Relayed via NODE' when NAT traversal found"
          + " no direct path between them (docs/nat-traversal.md). Absent without NAT traversal.")
  private String path;

  @JsonPropertyDescription("The other end's endpoint (host:port) this node was given.")
  private String endpoint;

  @JsonPropertyDescription(
      "How that endpoint was learned: advertised (by the other end's agent) or observed (the"
          + " public address a reachable node saw the other end's authenticated packets come from).")
  private String endpointSource;

  public PeerConnection() {}

  public PeerConnection(String peer, String lastHandshakeTime, Long rxBytes, Long txBytes) {
    this.peer = peer;
    this.lastHandshakeTime = lastHandshakeTime;
    this.rxBytes = rxBytes;
    this.txBytes = txBytes;
  }

  public String getPeer() {
    return peer;
  }

  public void setPeer(String peer) {
    this.peer = peer;
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

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getEndpointSource() {
    return endpointSource;
  }

  public void setEndpointSource(String endpointSource) {
    this.endpointSource = endpointSource;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerConnection c
        && Objects.equals(path, c.path)
        && Objects.equals(endpoint, c.endpoint)
        && Objects.equals(endpointSource, c.endpointSource)
        && Objects.equals(peer, c.peer)
        && Objects.equals(lastHandshakeTime, c.lastHandshakeTime)
        && Objects.equals(rxBytes, c.rxBytes)
        && Objects.equals(txBytes, c.txBytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(peer, lastHandshakeTime, rxBytes, txBytes, path, endpoint, endpointSource);
  }

  /** One line for logs and test diagnostics. */
  @Override
  public String toString() {
    return peer
        + ": "
        + path
        + " at "
        + endpoint
        + " ("
        + endpointSource
        + "), last handshake "
        + lastHandshakeTime
        + ", rx "
        + rxBytes
        + " tx "
        + txBytes;
  }
}
