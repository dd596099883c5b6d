package dev.wiremesh.planner.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of a mesh's address pools reserved for external peers ({@code
 * WireGuardMesh.spec.externalPeerPools}). Per mesh pool: the configured CIDR inside it, else, when
 * no CIDR of its family is configured, its last /24 (IPv4) or /112 (IPv6), or its last quarter when
 * it is smaller than a /22 or a /110; a pool of fewer than 4 addresses has none.
 *
 * <p>{@link Ipam} gives external peers their addresses from these and nodes never; the topology
 * planner routes each of them to the gateway as one prefix on every node that is not a gateway,
 * whether or not an external peer holds an address in it yet. So a new external peer changes only
 * the gateways' configurations, not the n nodes' of the mesh.
 */
public final class ExternalPeerPools {

  /** The default pool's prefix in a large IPv4 pool: 254 external peers. */
  public static final int IPV4_PREFIX = 24;

  /** The default pool's prefix in a large IPv6 pool: 65535 external peers. */
  public static final int IPV6_PREFIX = 112;

  private ExternalPeerPools() {}

  /**
   * The pools in effect, in the order of the mesh's pools. {@code configured} must be free of
   * {@link #problems}.
   */
  public static List<Cidr> of(List<Cidr> meshPools, List<String> configured) {
    List<Cidr> given =
        configured == null ? List.of() : configured.stream().map(Cidr::parse).toList();
    List<Cidr> out = new ArrayList<>();
    for (Cidr pool : meshPools) {
      Optional<Cidr> inside = given.stream().filter(pool::containsNetwork).findFirst();
      if (inside.isPresent()) {
        out.add(inside.get());
      } else if (given.stream().noneMatch(g -> g.isIpv4() == pool.isIpv4())) {
        defaultOf(pool).ifPresent(out::add);
      }
    }
    return List.copyOf(out);
  }

  /** The default pool at the end of {@code pool}, if it has room for one. */
  public static Optional<Cidr> defaultOf(Cidr pool) {
    int bits = pool.isIpv4() ? 32 : 128;
    int prefix = Math.max(pool.isIpv4() ? IPV4_PREFIX : IPV6_PREFIX, pool.prefix() + 2);
    if (prefix > bits - 2) {
      return Optional.empty();
    }
    BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
    return Optional.of(new Cidr(pool.address(pool.size().subtract(size)), prefix));
  }

  /**
   * What is wrong with {@code spec.externalPeerPools}, each naming the field and what is valid;
   * empty when it is fine (and when absent). The mesh's pools must parse.
   */
  public static List<String> problems(List<Cidr> meshPools, List<String> configured) {
    List<String> problems = new ArrayList<>();
    if (configured == null) {
      return problems;
    }
    List<Cidr> parsed = new ArrayList<>();
    for (int i = 0; i < configured.size(); i++) {
      String field = "spec.externalPeerPools[" + i + "]";
      Cidr c;
      try {
        c = Cidr.parse(configured.get(i));
      } catch (IllegalArgumentException e) {
        problems.add(field + ": " + e.getMessage());
        continue;
      }
      if (meshPools.stream().noneMatch(p -> p.containsNetwork(c) && c.prefix() > p.prefix())) {
        problems.add(
            field
                + ": '"
                + configured.get(i)
                + "' must lie inside the spec.addressPools entry of its address family "
                + meshPools.stream().map(p -> Addresses.canonicalNetwork(p.toString())).toList()
                + " and be smaller than it (the nodes get their addresses from the rest)");
      }
      if (parsed.stream().anyMatch(p -> p.isIpv4() == c.isIpv4())) {
        problems.add("spec.externalPeerPools: at most one IPv4 and one IPv6 CIDR");
      }
      parsed.add(c);
    }
    return problems;
  }

  /** Whether {@code address} lies in one of {@code pools}. */
  public static boolean contains(List<Cidr> pools, InetAddress address) {
    return pools.stream().anyMatch(p -> p.contains(address));
  }
}
