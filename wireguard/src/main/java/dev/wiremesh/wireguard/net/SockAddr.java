package dev.wiremesh.wireguard.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code struct sockaddr_in} (16 bytes) and {@code sockaddr_in6} (28 bytes) in native memory:
 * family in host order at 0, port in network order at 2; IPv4 address at 4; IPv6 flow info at 4,
 * address at 8, scope id at 24.
 */
final class SockAddr {
  static final int IN_SIZE = 16;
  static final int IN6_SIZE = 28;

  private SockAddr() {}

  static int port(MemorySegment sockaddr) {
    return ((sockaddr.get(JAVA_BYTE, 2) & 0xff) << 8) | (sockaddr.get(JAVA_BYTE, 3) & 0xff);
  }

  /** Writes {@code address} in {@code family}'s layout and returns the length to pass. */
  static int write(MemorySegment sockaddr, int family, InetAddress ip, int port) {
    sockaddr.asSlice(0, IN6_SIZE).fill((byte) 0);
    sockaddr.set(JAVA_SHORT, 0, (short) family);
    sockaddr.set(JAVA_BYTE, 2, (byte) (port >>> 8));
    sockaddr.set(JAVA_BYTE, 3, (byte) port);
    if (family == Syscalls.AF_INET) {
      MemorySegment.copy(ip.getAddress(), 0, sockaddr, JAVA_BYTE, 4, 4);
      return IN_SIZE;
    }
    byte[] bytes = ip.getAddress();
    if (bytes.length == 4) { // an IPv4 peer reached through the IPv6 socket: IPv4-mapped
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      bytes = mapped;
    }
    MemorySegment.copy(bytes, 0, sockaddr, JAVA_BYTE, 8, 16);
    if (ip instanceof Inet6Address v6) {
      sockaddr.set(JAVA_INT, 24, v6.getScopeId());
    }
    return IN6_SIZE;
  }

  /** Reads a {@code sockaddr_in} or {@code sockaddr_in6}. */
  static InetSocketAddress read(MemorySegment sockaddr) {
    int family = sockaddr.get(JAVA_SHORT, 0);
    int port = port(sockaddr);
    try {
      if (family == Syscalls.AF_INET) {
        return new InetSocketAddress(InetAddress.getByAddress(bytes(sockaddr, 4, 4)), port);
      }
      int scope = sockaddr.get(JAVA_INT, 24);
      byte[] address = bytes(sockaddr, 8, 16);
      InetAddress ip =
          scope != 0
              ? Inet6Address.getByAddress(null, address, scope)
              : InetAddress.getByAddress(address);
      return new InetSocketAddress(ip, port);
    } catch (UnknownHostException e) {
      throw new AssertionError("address of a valid length refused", e);
    }
  }

  static byte[] bytes(MemorySegment segment, long offset, int length) {
    byte[] bytes = new byte[length];
    MemorySegment.copy(segment, JAVA_BYTE, offset, bytes, 0, length);
    return bytes;
  }

  static boolean isLinkLocal(InetAddress ip) {
    return ip instanceof Inet6Address && ip.isLinkLocalAddress();
  }

  static boolean isIpv4(InetAddress ip) {
    return ip instanceof Inet4Address;
  }
}
