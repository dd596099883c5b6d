package dev.wiremesh.wireguard.net;

import static dev.wiremesh.wireguard.net.Syscalls.unexpected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.util.function.BooleanSupplier;

/**
 * One non-blocking UDP socket of one family, opened through the FFM API, that reports the local
 * address each datagram was sent to ({@code IP_PKTINFO}/{@code IPV6_PKTINFO}) and sends from a
 * chosen local address. Waits happen in {@code poll(2)} together with a wake-up descriptor, so
 * closing the owner unblocks them.
 */
final class UdpSocket {
  /** What wireguard-go asks for; the FORCE variants pass net.core.rmem_max for root. */
  private static final int SOCKET_BUFFER_SIZE =
      Integer.getInteger("wiremesh.wg.socketBuffer", 1 << 20);

  /** The most segments one UDP_SEGMENT send may carry (the kernel's UDP_MAX_SEGMENTS). */
  static final int MAX_SEGMENTS = 64;

  /** The most bytes one UDP_SEGMENT send carries: a UDP payload behind an IPv6 header. */
  static final int MAX_SEGMENTED_BYTES = 65535 - 40 - 8;

  final int fd;
  final int family;

  /**
   * Whether sends may use UDP_SEGMENT (generic segmentation offload: one {@code sendmsg} for a run
   * of equal-size datagrams). Cleared when the kernel refuses it; the socket then sends one
   * datagram per call.
   */
  volatile boolean segmentation;

  /** 0 if the kernel took {@code UDP_GRO}, else its errno; -1 when not asked for. */
  int groErrno = -1;

  /** 0 if the kernel knows {@code UDP_SEGMENT}, else its errno; -1 when not asked for. */
  int gsoErrno = -1;

  /** The errno of the last send the kernel refused to segment, 0 if none. */
  volatile int segmentationRefusal;

  private UdpSocket(int fd, int family) {
    this.fd = fd;
    this.family = family;
  }

  /** {@code ipv4} or {@code ipv6}, for logs. */
  String familyName() {
    return family == Syscalls.AF_INET ? "ipv4" : "ipv6";
  }

  /**
   * A configured, unbound socket of {@code family}, or null if the host does not support that
   * family (EAFNOSUPPORT).
   */
  static UdpSocket create(int family, int mark, boolean gso, boolean gro) throws IOException {
    int fd;
    try {
      fd =
          (int)
              Syscalls.SOCKET.invokeExact(
                  Syscalls.state(),
                  family,
                  Syscalls.SOCK_DGRAM | Syscalls.SOCK_NONBLOCK | Syscalls.SOCK_CLOEXEC,
                  0);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (fd < 0) {
      int errno = Syscalls.errno();
      if (errno == Errno.EAFNOSUPPORT) {
        return null;
      }
      throw new IOException("cannot open a UDP socket: " + Syscalls.name(errno));
    }
    var socket = new UdpSocket(fd, family);
    try {
      if (family == Syscalls.AF_INET6) {
        // Like wireguard-go's udp6 socket: IPv4 goes to the separate IPv4 socket.
        Sockets.setInt(fd, Syscalls.IPPROTO_IPV6, Syscalls.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
        Sockets.setInt(fd, Syscalls.IPPROTO_IPV6, Syscalls.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
      } else {
        Sockets.setInt(fd, Syscalls.IPPROTO_IP, Syscalls.IP_PKTINFO, 1, "IP_PKTINFO");
      }
      // Receive coalesced runs of datagrams (UDP_GRO), each split by the receiver; a kernel without
      // it (before 5.0) just delivers them one by one.
      if (gro) {
        socket.groErrno = Sockets.trySetInt(fd, Syscalls.SOL_UDP, Syscalls.UDP_GRO, 1);
      }
      // Send runs of datagrams in one call (UDP_SEGMENT) if the kernel knows the option (4.18+),
      // probed as wireguard-go does; a device that refuses it later is handled per send.
      if (gso) {
        socket.gsoErrno =
            Sockets.getInt(fd, Syscalls.SOL_UDP, Syscalls.UDP_SEGMENT) != null
                ? 0
                : Syscalls.errno();
        socket.segmentation = socket.gsoErrno == 0;
      }
      setBuffer(fd, Syscalls.SO_RCVBUFFORCE, Syscalls.SO_RCVBUF);
      setBuffer(fd, Syscalls.SO_SNDBUFFORCE, Syscalls.SO_SNDBUF);
      if (mark != 0) {
        Sockets.setMark(fd, mark);
      }
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static void setBuffer(int fd, int force, int plain) {
    if (Sockets.trySetInt(fd, Syscalls.SOL_SOCKET, force, SOCKET_BUFFER_SIZE) != 0) {
      Sockets.trySetInt(fd, Syscalls.SOL_SOCKET, plain, SOCKET_BUFFER_SIZE); // capped, never fails
    }
  }

  /** Binds the wildcard address and {@code port}; returns 0 or the errno. */
  int bind(int port) {
    try (var arena = Arena.ofConfined()) {
      var sockaddr = arena.allocate(SockAddr.IN6_SIZE + 4, 8);
      var wildcard = InetAddress.getByAddress(new byte[family == Syscalls.AF_INET ? 4 : 16]);
      int length = SockAddr.write(sockaddr, family, wildcard, port);
      int rc = (int) Syscalls.BIND.invokeExact(Syscalls.state(), fd, sockaddr, length);
      return rc == 0 ? 0 : Syscalls.errno();
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  int localPort() {
    try (var arena = Arena.ofConfined()) {
      var sockaddr = arena.allocate(SockAddr.IN6_SIZE + 4, 8);
      var length = arena.allocateFrom(JAVA_INT, SockAddr.IN6_SIZE + 4);
      int rc = (int) Syscalls.GETSOCKNAME.invokeExact(Syscalls.state(), fd, sockaddr, length);
      if (rc != 0) {
        throw new IllegalStateException("getsockname: " + Syscalls.name(Syscalls.errno()));
      }
      return SockAddr.port(sockaddr);
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * Receives one datagram into {@code m.data}, waiting in poll while there is none. Afterwards
   * {@code m.name} holds the sender and {@code m.control} the packet information.
   *
   * @return the datagram's length, at most {@code capacity}
   */
  int receive(MessageBuffers m, int capacity, int wakeFd, BooleanSupplier closed)
      throws IOException {
    while (true) {
      long n = receiveOnce(m, capacity);
      if (n >= 0) {
        return (int) n;
      }
      int errno = (int) -n;
      if (errno == Errno.EAGAIN) {
        await(m, Syscalls.POLLIN, wakeFd, closed);
      } else if (errno != Errno.EINTR) {
        throw new IOException("cannot receive: " + Syscalls.name(errno));
      }
    }
  }

  /** One non-blocking {@code recvmsg}: the datagram's length (at most capacity) or minus errno. */
  long receiveOnce(MessageBuffers m, int capacity) {
    m.prepare(SockAddr.IN6_SIZE, capacity, MessageBuffers.CONTROL_SIZE);
    try {
      long n = (long) Syscalls.RECVMSG.invokeExact(Syscalls.state(), fd, m.msghdr, 0);
      return n >= 0 ? Math.min(n, capacity) : -Syscalls.errno();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * The offset in {@code m.control} of the control message of {@code level} and {@code type} that
   * the last {@code recvmsg} returned, or -1.
   */
  static long findControl(MessageBuffers m, int level, int type) {
    long length = m.receivedControlLength();
    var control = m.control;
    for (long at = 0; at + 16 <= length; ) {
      long cmsgLength = control.get(JAVA_LONG, at);
      if (cmsgLength < 16) {
        return -1;
      }
      if (control.get(JAVA_INT, at + 8) == level && control.get(JAVA_INT, at + 12) == type) {
        return at;
      }
      at += (cmsgLength + 7) & ~7L;
    }
    return -1;
  }

  /**
   * The segment size of the last received datagram if the kernel coalesced a run of equal-size
   * datagrams into it ({@code UDP_GRO}), else 0.
   */
  static int receivedSegmentSize(MessageBuffers m) {
    long at = findControl(m, Syscalls.SOL_UDP, Syscalls.UDP_GRO);
    return at < 0 ? 0 : m.control.get(JAVA_INT, at + 16);
  }

  /**
   * Where the last received datagram's packet information ({@code IP_PKTINFO} or {@code
   * IPV6_PKTINFO}) control message starts in {@code m.control}, or -1.
   */
  long packetInfoOffset(MessageBuffers m) {
    return family == Syscalls.AF_INET
        ? findControl(m, Syscalls.IPPROTO_IP, Syscalls.IP_PKTINFO)
        : findControl(m, Syscalls.IPPROTO_IPV6, Syscalls.IPV6_PKTINFO);
  }

  /**
   * The local address the last received datagram was sent to, from its {@code IP_PKTINFO} ({@code
   * ipi_spec_dst}) or {@code IPV6_PKTINFO} ({@code ipi6_addr}, scoped by its interface when
   * link-local); null if the kernel gave none.
   */
  InetAddress receivedDestination(MessageBuffers m) {
    long at = packetInfoOffset(m);
    if (at < 0) {
      return null;
    }
    var control = m.control;
    try {
      if (family == Syscalls.AF_INET) {
        return InetAddress.getByAddress(SockAddr.bytes(control, at + 20, 4));
      }
      byte[] address = SockAddr.bytes(control, at + 16, 16);
      int ifindex = control.get(JAVA_INT, at + 32);
      var ip = InetAddress.getByAddress(address);
      return ip.isLinkLocalAddress() ? Inet6Address.getByAddress(null, address, ifindex) : ip;
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Sends {@code m.data[0, length)} to the address already in {@code m.name}, from {@code source}
   * if not null: one datagram, or with {@code segmentSize > 0} a run of datagrams of that size (the
   * last may be shorter) in one call (UDP_SEGMENT). If the kernel refuses the source because the
   * host no longer has that address, sends again letting routing choose, as wireguard-go does.
   *
   * @return false if the kernel refused the segmentation (nothing was sent): send one by one
   */
  boolean send(
      MessageBuffers m,
      int nameLength,
      int length,
      int segmentSize,
      InetAddress source,
      int wakeFd,
      BooleanSupplier closed,
      Endpoint to)
      throws IOException {
    m.control.fill((byte) 0);
    int sourceLength = source == null ? 0 : writePacketInfo(m.control, source);
    try {
      while (true) {
        int controlLength = sourceLength;
        if (segmentSize > 0) {
          controlLength += writeSegmentSize(m.control, sourceLength, segmentSize);
        }
        m.prepare(nameLength, length, controlLength);
        long n = (long) Syscalls.SENDMSG.invokeExact(Syscalls.state(), fd, m.msghdr, 0);
        if (n >= 0) {
          return true;
        }
        int errno = Syscalls.errno();
        if (errno == Errno.EAGAIN) {
          await(m, Syscalls.POLLOUT, wakeFd, closed);
        } else if (sourceLength != 0 && refusesSource(errno)) {
          // Without the source first: a source the host lost fails whether segmented or not.
          sourceLength = 0;
          m.control.fill((byte) 0);
        } else if (segmentSize > 0 && refusesSegmentation(errno)) {
          segmentationRefusal = errno;
          return false;
        } else if (errno == Errno.ENETUNREACH || errno == Errno.EHOSTUNREACH) {
          throw new NoRouteToHostException("cannot send to " + to + ": " + Syscalls.name(errno));
        } else if (errno != Errno.EINTR) {
          throw new IOException("cannot send to " + to + ": " + Syscalls.name(errno));
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * How the kernel refuses UDP_SEGMENT: EIO (no checksum offload on the route's device), EINVAL (a
   * segment larger than the path MTU), EMSGSIZE, EOPNOTSUPP.
   */
  private static boolean refusesSegmentation(int errno) {
    return errno == Errno.EIO
        || errno == Errno.EINVAL
        || errno == Errno.EMSGSIZE
        || errno == Errno.EOPNOTSUPP;
  }

  /** Writes one {@code UDP_SEGMENT} control message at {@code at}; returns its CMSG_SPACE. */
  private static int writeSegmentSize(MemorySegment control, int at, int segmentSize) {
    control.set(JAVA_LONG, at, 16 + 2);
    control.set(JAVA_INT, at + 8, Syscalls.SOL_UDP);
    control.set(JAVA_INT, at + 12, Syscalls.UDP_SEGMENT);
    control.set(JAVA_SHORT, at + 16, (short) segmentSize);
    return 24;
  }

  /**
   * How the kernel refuses a source address the host does not have: EINVAL (IPv6, and IPv4 when the
   * address is special), ENETUNREACH (IPv4 output routing on current kernels, checked on 6.18),
   * EADDRNOTAVAIL. A destination that is really unreachable fails again without source.
   */
  private static boolean refusesSource(int errno) {
    return errno == Errno.EINVAL || errno == Errno.ENETUNREACH || errno == Errno.EADDRNOTAVAIL;
  }

  /** Writes one {@code IP_PKTINFO} or {@code IPV6_PKTINFO} message; returns its CMSG_SPACE. */
  private int writePacketInfo(MemorySegment control, InetAddress source) {
    if (family == Syscalls.AF_INET) {
      if (!(source instanceof Inet4Address)) {
        return 0;
      }
      // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
      control.set(JAVA_LONG, 0, 16 + 12);
      control.set(JAVA_INT, 8, Syscalls.IPPROTO_IP);
      control.set(JAVA_INT, 12, Syscalls.IP_PKTINFO);
      MemorySegment.copy(source.getAddress(), 0, control, JAVA_BYTE, 20, 4);
      return 32;
    }
    if (!(source instanceof Inet6Address v6)) {
      return 0;
    }
    // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }
    control.set(JAVA_LONG, 0, 16 + 20);
    control.set(JAVA_INT, 8, Syscalls.IPPROTO_IPV6);
    control.set(JAVA_INT, 12, Syscalls.IPV6_PKTINFO);
    MemorySegment.copy(v6.getAddress(), 0, control, JAVA_BYTE, 16, 16);
    control.set(JAVA_INT, 32, v6.getScopeId());
    return 40;
  }

  private void await(MessageBuffers m, short events, int wakeFd, BooleanSupplier closed)
      throws IOException {
    while (true) {
      Syscalls.pollfd(m.pollfds, 0, fd, events);
      Syscalls.pollfd(m.pollfds, 1, wakeFd, Syscalls.POLLIN);
      int rc = poll(m.pollfds);
      if (rc < 0 && Syscalls.errno() != Errno.EINTR) {
        throw new IOException("poll: " + Syscalls.name(Syscalls.errno()));
      }
      if (closed.getAsBoolean() || Syscalls.revents(m.pollfds, 1) != 0) {
        throw new AsynchronousCloseException();
      }
      if (rc > 0 && Syscalls.revents(m.pollfds, 0) != 0) {
        return;
      }
    }
  }

  private static int poll(MemorySegment pollfds) {
    try {
      return (int) Syscalls.POLL.invokeExact(Syscalls.state(), pollfds, 2L, -1);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  void close() {
    try {
      int ignored = (int) Syscalls.CLOSE.invokeExact(Syscalls.state(), fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }
}
