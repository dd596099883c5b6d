package dev.wiremesh.wireguard.allowedips;

import java.util.Arrays;
import java.util.Objects;

/**
 * An IP prefix such as {@code 10.0.0.0/8} or {@code fd00::/64}: an IPv4 (4 bytes) or IPv6 (16
 * bytes) address and a prefix length. The address may carry host bits, as {@code wg set ...
 * allowed-ips 10.1.2.3/8} may; {@link #masked()} clears them, and {@link AllowedIps} stores only
 * masked prefixes. Immutable: the array is copied in and out.
 *
 * @param address 4 or 16 bytes, network order
 * @param length 0-32 for IPv4, 0-128 for IPv6
 */
public record IpPrefix(byte[] address, int length) {
  public IpPrefix {
    Objects.requireNonNull(address, "address");
    if (address.length != 4 && address.length != 16) {
      throw new IllegalArgumentException(
          "prefix address must have 4 (IPv4) or 16 (IPv6) bytes, got " + address.length);
    }
    int max = address.length * 8;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException(
          "prefix length of %s must be 0-%d, got %d"
              .formatted(IpText.format(address), max, length));
    }
    address = address.clone();
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code fd00::/64}, or a bare address as a host prefix ({@code /32}
   * or {@code /128}). No name is looked up.
   *
   * @throws IllegalArgumentException naming the text and what is valid
   */
  public static IpPrefix parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    int slash = s.indexOf('/');
    String addressText = slash < 0 ? s : s.substring(0, slash);
    byte[] address = IpText.parse(addressText);
    if (address == null) {
      throw new IllegalArgumentException(
          "not an IP prefix: '%s' (expected an IPv4 or IPv6 address, optionally /length, e.g."
                  .formatted(text)
              + " 10.0.0.0/8, fd00::/64 or 192.0.2.1)");
    }
    int max = address.length * 8;
    if (slash < 0) {
      return new IpPrefix(address, max);
    }
    String lengthText = s.substring(slash + 1);
    int length = -1;
    if (!lengthText.isEmpty()
        && lengthText.length() <= 3
        && lengthText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      length = Integer.parseInt(lengthText);
    }
    if (length < 0 || length > max) {
      throw new IllegalArgumentException(
          "prefix length in '%s' must be a number 0-%d for an %s address"
              .formatted(text, max, max == 32 ? "IPv4" : "IPv6"));
    }
    return new IpPrefix(address, length);
  }

  /** A copy of the address bytes. */
  @Override
  public byte[] address() {
    return address.clone();
  }

  public boolean isIpv4() {
    return address.length == 4;
  }

  /** The same prefix with every bit past {@link #length()} cleared. */
  public IpPrefix masked() {
    byte[] a = address.clone();
    for (int bit = length; bit < a.length * 8; bit++) {
      a[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
    }
    return Arrays.equals(a, address) ? this : new IpPrefix(a, length);
  }

  /** Whether {@code addr} (4 or 16 bytes) lies in this prefix; false for the other family. */
  public boolean contains(byte[] addr) {
    if (addr.length != address.length) {
      return false;
    }
    for (int bit = 0; bit < length; bit++) {
      int mask = 0x80 >>> (bit & 7);
      if ((addr[bit >>> 3] & mask) != (address[bit >>> 3] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.address, address);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(address) + length;
  }

  /** The canonical text, e.g. {@code 10.0.0.0/8} or {@code fd00::/64} (RFC 5952). */
  @Override
  public String toString() {
    return IpText.format(address) + "/" + length;
  }
}
