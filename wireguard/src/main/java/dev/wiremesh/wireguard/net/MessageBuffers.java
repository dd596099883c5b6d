package dev.wiremesh.wireguard.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The native memory one {@code recvmsg}/{@code sendmsg} call needs, allocated once per receiver or
 * sending thread and reused for every datagram: {@code struct msghdr} (56 bytes on LP64: name at 0,
 * namelen at 8, iov at 16, iovlen at 24, control at 32, controllen at 40, flags at 48), one {@code
 * struct iovec}, a socket address, a control buffer, a datagram buffer and two {@code struct
 * pollfd}. The datagram buffer holds a whole run of segments ({@code UDP_SEGMENT}, {@code
 * UDP_GRO}); the control buffer, the packet information and the segment size together.
 */
final class MessageBuffers {
  /** The largest UDP payload. */
  static final int DATA_SIZE = 65535;

  /**
   * Room for one {@code IPV6_PKTINFO} (CMSG_SPACE(20) = 40) or {@code IP_PKTINFO} (32) next to one
   * {@code UDP_SEGMENT} (CMSG_SPACE(2) = 24) or {@code UDP_GRO} (CMSG_SPACE(4) = 24).
   */
  static final int CONTROL_SIZE = 64;

  final MemorySegment msghdr;
  final MemorySegment iovec;
  final MemorySegment name;
  final MemorySegment control;
  final MemorySegment data;
  final MemorySegment pollfds;

  MessageBuffers() {
    var arena = Arena.ofAuto();
    msghdr = arena.allocate(56, 8);
    iovec = arena.allocate(16, 8);
    name = arena.allocate(SockAddr.IN6_SIZE + 4, 8);
    control = arena.allocate(CONTROL_SIZE, 8);
    data = arena.allocate(DATA_SIZE, 8);
    pollfds = arena.allocate(16, 8);
  }

  /** Points the header at this object's buffers with the given lengths. */
  void prepare(int nameLength, int dataLength, int controlLength) {
    iovec.set(ADDRESS, 0, data);
    iovec.set(JAVA_LONG, 8, dataLength);
    msghdr.set(ADDRESS, 0, name);
    msghdr.set(JAVA_INT, 8, nameLength);
    msghdr.set(ADDRESS, 16, iovec);
    msghdr.set(JAVA_LONG, 24, 1L);
    msghdr.set(ADDRESS, 32, controlLength == 0 ? MemorySegment.NULL : control);
    msghdr.set(JAVA_LONG, 40, controlLength);
    msghdr.set(JAVA_INT, 48, 0);
  }

  /** The control length the kernel filled in after {@code recvmsg}. */
  long receivedControlLength() {
    return msghdr.get(JAVA_LONG, 40);
  }
}
