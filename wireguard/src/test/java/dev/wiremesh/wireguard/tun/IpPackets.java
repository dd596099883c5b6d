package dev.wiremesh.wireguard.tun;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Builds and dissects the few IPv4 packets the TUN tests exchange with the kernel. */
final class IpPackets {
  static final int ICMP = 1;
  static final int UDP = 17;

  private IpPackets() {}

  static int version(byte[] packet) {
    return (packet[0] & 0xff) >>> 4;
  }

  static int protocol(byte[] packet) {
    return packet[9] & 0xff;
  }

  static InetAddress source(byte[] packet) {
    return address(packet, 12);
  }

  static InetAddress destination(byte[] packet) {
    return address(packet, 16);
  }

  private static InetAddress address(byte[] packet, int at) {
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(packet, at, at + 4));
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static int headerLength(byte[] packet) {
    return (packet[0] & 0x0f) * 4;
  }

  static byte[] udpPayload(byte[] packet, int length) {
    return Arrays.copyOfRange(packet, headerLength(packet) + 8, length);
  }

  static int udpDestinationPort(byte[] packet) {
    int h = headerLength(packet);
    return ((packet[h + 2] & 0xff) << 8) | (packet[h + 3] & 0xff);
  }

  /** An IPv4 UDP datagram with a valid header checksum and no UDP checksum (0 is allowed). */
  static byte[] ipv4Udp(
      Inet4Address source, int sourcePort, Inet4Address destination, int destPort, byte[] data) {
    var b = ByteBuffer.allocate(20 + 8 + data.length);
    ipv4Header(b, source, destination, UDP, b.capacity());
    b.putShort((short) sourcePort).putShort((short) destPort);
    b.putShort((short) (8 + data.length)).putShort((short) 0).put(data);
    return b.array();
  }

  /** The echo reply to an IPv4 ICMP echo request of {@code length} bytes. */
  static byte[] icmpEchoReply(byte[] request, int length) {
    int h = headerLength(request);
    var b = ByteBuffer.allocate(20 + length - h);
    ipv4Header(
        b, (Inet4Address) destination(request), (Inet4Address) source(request), ICMP, b.capacity());
    byte[] icmp = Arrays.copyOfRange(request, h, length);
    icmp[0] = 0; // type: echo reply
    icmp[2] = 0;
    icmp[3] = 0;
    int sum = checksum(icmp, 0, icmp.length);
    icmp[2] = (byte) (sum >>> 8);
    icmp[3] = (byte) sum;
    return b.put(icmp).array();
  }

  private static void ipv4Header(
      ByteBuffer b, Inet4Address source, Inet4Address destination, int protocol, int total) {
    b.put((byte) 0x45).put((byte) 0).putShort((short) total);
    b.putShort((short) 0).putShort((short) 0x4000); // id 0, don't fragment
    b.put((byte) 64).put((byte) protocol).putShort((short) 0);
    b.put(source.getAddress()).put(destination.getAddress());
    int sum = checksum(b.array(), 0, 20);
    b.putShort(10, (short) sum);
  }

  /** The Internet checksum (RFC 1071). */
  static int checksum(byte[] data, int off, int len) {
    long sum = 0;
    for (int i = 0; i + 1 < len; i += 2) {
      sum += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
    }
    if ((len & 1) == 1) {
      sum += (data[off + len - 1] & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }
}
