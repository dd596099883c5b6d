package dev.wiremesh.planner.ipam;

import java.net.InetAddress;
import java.util.List;

/** What IPAM decided for one peer. */
public sealed interface AddressOutcome {

  /** The peer holds these addresses (one per pool, or exactly the ones the user chose). */
  record Assigned(List<InetAddress> addresses) implements AddressOutcome {
    public Assigned {
      addresses = List.copyOf(addresses);
    }
  }

  /** A user-chosen address is held by another peer; the peer gets no address (AddressConflict). */
  record Conflict(String message) implements AddressOutcome {}

  /** A user-chosen address does not parse or lies outside the mesh's pools (InvalidSpec). */
  record Invalid(String message) implements AddressOutcome {}

  /** A pool has no free address left. */
  record Exhausted(String message) implements AddressOutcome {}
}
