package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Where the rotation of a node's key stands (docs/key-rotation.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeyRotationStatus {
  public static final String PENDING = "Pending";
  public static final String DISTRIBUTING = "Distributing";
  public static final String COMPLETED = "Completed";
  public static final String FAILED = "Failed";

  @JsonPropertyDescription(
      "Pending: requested, waiting for its turn (one node of a mesh at a time) or for the agent."
          + " Distributing: the node holds its old and its new key; the other nodes are taking the"
          + " new one. Completed: every node uses the new key (the old one may still be answered"
          + " for the peers in peersOnPreviousKey until previousKeyExpiresTime). Failed: see"
          + " reason.")
  private String phase;

  @JsonPropertyDescription("Why the rotation failed or waits, naming what to do.")
  private String reason;

  @JsonPropertyDescription(
      "The value of the wiremesh.dev/rotate-key annotation last acted on: the same value again"
          + " does nothing, a new one starts a new rotation.")
  private String requested;

  @JsonPropertyDescription("What started the current or last rotation: Annotation or Schedule.")
  private String trigger;

  @JsonPropertyDescription("When the current or last rotation started (RFC 3339).")
  private String startedTime;

  @JsonPropertyDescription("When the last rotation completed (RFC 3339).")
  private String lastCompletedTime;

  @JsonPropertyDescription("The new public key being distributed (while Distributing).")
  private String nextPublicKey;

  @JsonPropertyDescription("The public key being replaced, while the node still answers it.")
  private String previousPublicKey;

  @JsonPropertyDescription(
      "Peers (WireGuardPeer names) that still know the node by its previous key: nodes whose agent"
          + " has not taken the new one yet, external peers whose last handshake used the old key.")
  private List<String> peersOnPreviousKey;

  @JsonPropertyDescription(
      "When the node stops answering its previous key for external peers (RFC 3339).")
  private String previousKeyExpiresTime;

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getRequested() {
    return requested;
  }

  public void setRequested(String requested) {
    this.requested = requested;
  }

  public String getTrigger() {
    return trigger;
  }

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }

  public String getStartedTime() {
    return startedTime;
  }

  public void setStartedTime(String startedTime) {
    this.startedTime = startedTime;
  }

  public String getLastCompletedTime() {
    return lastCompletedTime;
  }

  public void setLastCompletedTime(String lastCompletedTime) {
    this.lastCompletedTime = lastCompletedTime;
  }

  public String getNextPublicKey() {
    return nextPublicKey;
  }

  public void setNextPublicKey(String nextPublicKey) {
    this.nextPublicKey = nextPublicKey;
  }

  public String getPreviousPublicKey() {
    return previousPublicKey;
  }

  public void setPreviousPublicKey(String previousPublicKey) {
    this.previousPublicKey = previousPublicKey;
  }

  public List<String> getPeersOnPreviousKey() {
    return peersOnPreviousKey;
  }

  public void setPeersOnPreviousKey(List<String> peersOnPreviousKey) {
    this.peersOnPreviousKey = peersOnPreviousKey;
  }

  public String getPreviousKeyExpiresTime() {
    return previousKeyExpiresTime;
  }

  public void setPreviousKeyExpiresTime(String previousKeyExpiresTime) {
    this.previousKeyExpiresTime = previousKeyExpiresTime;
  }

  /** A copy, to change without touching the status it came from. */
  public KeyRotationStatus copy() {
    KeyRotationStatus c = new KeyRotationStatus();
    c.phase = phase;
    c.reason = reason;
    c.requested = requested;
    c.trigger = trigger;
    c.startedTime = startedTime;
    c.lastCompletedTime = lastCompletedTime;
    c.nextPublicKey = nextPublicKey;
    c.previousPublicKey = previousPublicKey;
    c.peersOnPreviousKey = peersOnPreviousKey == null ? null : new ArrayList<>(peersOnPreviousKey);
    c.previousKeyExpiresTime = previousKeyExpiresTime;
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRotationStatus k
        && Objects.equals(phase, k.phase)
        && Objects.equals(reason, k.reason)
        && Objects.equals(requested, k.requested)
        && Objects.equals(trigger, k.trigger)
        && Objects.equals(startedTime, k.startedTime)
        && Objects.equals(lastCompletedTime, k.lastCompletedTime)
        && Objects.equals(nextPublicKey, k.nextPublicKey)
        && Objects.equals(previousPublicKey, k.previousPublicKey)
        && Objects.equals(peersOnPreviousKey, k.peersOnPreviousKey)
        && Objects.equals(previousKeyExpiresTime, k.previousKeyExpiresTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, nextPublicKey, previousPublicKey, startedTime);
  }
}
