package dev.wiremesh.planner.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network in CIDR notation, normalised to its network address.
 *
 * @param network the network address (host bits zero)
 * @param prefix the prefix length, 0-32 for IPv4 and 0-128 for IPv6
 */
public record Cidr(InetAddress network, int prefix) {

  /**
   * Parses {@code a.b.c.d/n} or {@code x::y/n}; host bits must be zero. Never resolves DNS names.
   *
   * @throws IllegalArgumentException naming the value and what is valid
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a CIDR: expected an address and a prefix, e.g. 10.44.0.0/16");
    }
    InetAddress address = parseAddress(text.substring(0, slash));
    int bits = bits(address);
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException(
          "'" + text + "' has an invalid prefix length: valid is 0-" + bits);
    }
    Cidr cidr = new Cidr(address, prefix);
    if (!cidr.networkNumber().equals(toNumber(address))) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' has host bits set: the network is "
              + cidr.network().getHostAddress()
              + "/"
              + prefix);
    }
    return cidr;
  }

  /** Parses a literal IPv4 or IPv6 address; never resolves DNS names. */
  public static InetAddress parseAddress(String text) {
    try {
      return InetAddress.ofLiteral(text.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an IP address: expected e.g. 10.44.0.1 or fd00::1");
    }
  }

  /** Parses {@code addr} or {@code addr/host-prefix} (a /32 or /128) into an address. */
  public static Optional<InetAddress> parseHost(String text) {
    String s = text.strip();
    int slash = s.indexOf('/');
    if (slash >= 0) {
      InetAddress a = parseAddress(s.substring(0, slash));
      if (!s.substring(slash + 1).equals(Integer.toString(bits(a)))) {
        return Optional.empty();
      }
      return Optional.of(a);
    }
    return Optional.of(parseAddress(s));
  }

  public Cidr {
    BigInteger masked = toNumber(network).and(mask(bits(network), prefix));
    network = fromNumber(masked, network instanceof Inet4Address);
  }

  public boolean isIpv4() {
    return network instanceof Inet4Address;
  }

  /** Whether {@code address} lies inside this network (same family). */
  public boolean contains(InetAddress address) {
    if ((address instanceof Inet4Address) != isIpv4()) {
      return false;
    }
    return toNumber(address).and(mask(bits(network), prefix)).equals(networkNumber());
  }

  /**
   * Whether {@code other} lies wholly inside this network (same family, prefix at least as long).
   */
  public boolean containsNetwork(Cidr other) {
    return other.prefix >= prefix && contains(other.network);
  }

  /** Whether the two networks share any address. */
  public boolean overlaps(Cidr other) {
    return contains(other.network) || other.contains(network);
  }

  /** Number of addresses in the network. */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits(network) - prefix);
  }

  /** The network address plus {@code offset}. */
  public InetAddress address(BigInteger offset) {
    return fromNumber(networkNumber().add(offset), isIpv4());
  }

  /** The offset of {@code address} from the network address; it must be contained. */
  public BigInteger offsetOf(InetAddress address) {
    return toNumber(address).subtract(networkNumber());
  }

  /**
   * Whether an address at {@code offset} may be given to a host: not the network address (in IPv4
   * the network, in IPv6 the subnet-router anycast) and, in IPv4 networks with a broadcast, not the
   * broadcast address.
   */
  public boolean isAssignable(BigInteger offset) {
    if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
      return false;
    }
    int hostBits = bits(network) - prefix;
    if (hostBits <= 1) {
      return true; // /31, /32, /127, /128: every address is a host (RFC 3021)
    }
    if (offset.signum() == 0) {
      return false;
    }
    return !(isIpv4() && offset.equals(size().subtract(BigInteger.ONE)));
  }

  BigInteger networkNumber() {
    return toNumber(network);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }

  static int bits(InetAddress a) {
    return a instanceof Inet4Address ? 32 : 128;
  }

  public static BigInteger toNumber(InetAddress a) {
    return new BigInteger(1, a.getAddress());
  }

  private static BigInteger mask(int bits, int prefix) {
    BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    BigInteger host = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
    return all.xor(host);
  }

  static InetAddress fromNumber(BigInteger n, boolean ipv4) {
    int len = ipv4 ? 4 : 16;
    byte[] raw = n.toByteArray();
    byte[] out = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
    try {
      return InetAddress.getByAddress(out);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // unreachable: length is 4 or 16
    }
  }
}
