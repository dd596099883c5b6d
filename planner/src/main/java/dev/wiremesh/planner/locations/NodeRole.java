package dev.wiremesh.planner.locations;

/** A node's place in the location topology: its location, and whether it leads it. */
public record NodeRole(String location, boolean leader) {

  /** As {@code WireGuardPeer.status.role} shows it: "Leader of zone-a", "Member of zone-a". */
  public String describe() {
    return (leader ? "Leader of " : "Member of ") + location;
  }
}
