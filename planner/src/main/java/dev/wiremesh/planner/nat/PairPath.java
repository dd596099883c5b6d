package dev.wiremesh.planner.nat;

import java.time.Instant;

/**
 * The path of a pair of nodes at least one of which is behind NAT. Both ends always hold each
 * other's endpoint with a keepalive, so a direct handshake is tried in every state; what changes is
 * where the pair's traffic is routed.
 */
public sealed interface PairPath {

  /** What status shows: {@code Direct} or {@code Relayed via NODE}. */
  String describe();

  /**
   * The direct path is being tried since {@code since} (a new pair, or a direct path that went
   * silent); traffic goes direct.
   */
  record Trying(Instant since) implements PairPath {
    @Override
    public String describe() {
      return "Direct";
    }
  }

  /**
   * Both ends hear each other directly, since {@code since}; {@code lastHeard} is the latest direct
   * packet between them (either way: on an idle pair only one end sends keepalives).
   */
  record Direct(Instant since, Instant lastHeard) implements PairPath {
    @Override
    public String describe() {
      return "Direct";
    }
  }

  /**
   * No direct path: traffic goes through {@code via}, a reachable node, since {@code since}. {@code
   * directSince} is when both ends were first heard directly again without a gap (null while they
   * are not): after {@link NatTimings#settle()} of that, the pair goes Direct.
   */
  record Relayed(String via, Instant since, Instant directSince) implements PairPath {
    @Override
    public String describe() {
      return "Relayed via " + via;
    }
  }
}
