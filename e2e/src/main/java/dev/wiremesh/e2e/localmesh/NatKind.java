package dev.wiremesh.e2e.localmesh;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a local-mesh NAT maps a node's outgoing UDP flows to its public address (RFC 4787's terms).
 * Both filter the same way: only replies from the exact address and port a flow went to come in.
 */
public enum NatKind {

  /**
   * Endpoint-independent mapping: one public port per private port, whatever the destination, as
   * most home and cloud NATs do; hole punching from both ends works. Linux's masquerade keeps the
   * source port when it is free, which it is (the NAT has one node behind it).
   */
  ENDPOINT_INDEPENDENT("endpoint-independent", "masquerade persistent"),

  /**
   * Endpoint-dependent ("symmetric") mapping: a new random public port for every destination, so
   * the port a peer sees cannot be reused by another peer and hole punching fails.
   */
  SYMMETRIC("symmetric", "masquerade random,fully-random");

  private final String option;
  private final String statement;

  NatKind(String option, String statement) {
    this.option = option;
    this.statement = statement;
  }

  /** The spelling of {@code --nat NODE:KIND}. */
  public String option() {
    return option;
  }

  /** The nftables statement of this NAT's source translation. */
  String nftStatement() {
    return statement;
  }

  /** The kind spelled {@code option}, e.g. {@code symmetric}. */
  public static NatKind parse(String option) {
    for (NatKind k : values()) {
      if (k.option.equals(option)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "--nat: unknown NAT kind '"
            + option
            + "': use "
            + Arrays.stream(values()).map(NatKind::option).collect(Collectors.joining(" or ")));
  }

  @Override
  public String toString() {
    return option;
  }
}
