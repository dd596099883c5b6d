package dev.wiremesh.wireguard.tun;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls the TUN code makes, as FFM downcall handles. Every call that can fail captures
 * {@code errno} into a per-thread segment, so no call allocates native memory.
 */
final class Libc {
  static final int O_RDWR = 0x2;
  static final int O_NONBLOCK = 0x800;
  static final int O_CLOEXEC = 0x80000;
  static final int EFD_NONBLOCK = 0x800;
  static final int EFD_CLOEXEC = 0x80000;
  static final int AF_INET = 2;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_CLOEXEC = 0x80000;
  static final short POLLIN = 0x1;
  static final short POLLOUT = 0x4;
  static final short POLLERR = 0x8;
  static final short POLLHUP = 0x10;
  static final short POLLNVAL = 0x20;

  static final long TUNSETIFF = 0x400454caL;
  static final long SIOCGIFMTU = 0x8921L;
  static final long SIOCSIFMTU = 0x8922L;
  static final short IFF_TUN = 0x0001;
  static final short IFF_NO_PI = 0x1000;
  static final short IFF_VNET_HDR = 0x4000;
  static final long TUNSETOFFLOAD = 0x400454d0L;
  static final long TUN_F_CSUM = 0x01;
  static final long TUN_F_TSO4 = 0x02;
  static final long TUN_F_TSO6 = 0x04;

  /** {@code struct ifreq}: the name in the first 16 bytes, the union (flags, mtu) at 16. */
  static final int IFREQ_SIZE = 40;

  static final int IFNAMSIZ = 16;
  static final int IFREQ_UNION = 16;

  /** {@code struct pollfd}: int fd, short events, short revents. */
  static final int POLLFD_SIZE = 8;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(PathElement.groupElement("errno")).withInvokeExactBehavior();
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  static final MethodHandle OPEN =
      handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
  static final MethodHandle IOCTL = ioctl(ADDRESS);

  /** ioctl(2) with an integer argument ({@code TUNSETOFFLOAD}). */
  static final MethodHandle IOCTL_LONG = ioctl(JAVA_LONG);

  /**
   * read(2) and write(2) on non-blocking descriptors: they never block, so they may run as critical
   * calls with direct access to the caller's heap array (no copy through native memory).
   */
  static final MethodHandle READ =
      handle(
          "read",
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
          CAPTURE_ERRNO,
          Linker.Option.critical(true));

  static final MethodHandle WRITE =
      handle(
          "write",
          FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
          CAPTURE_ERRNO,
          Linker.Option.critical(true));

  static final MethodHandle POLL =
      handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
  static final MethodHandle EVENTFD =
      handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
  static final MethodHandle SOCKET =
      handle(
          "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
  static final MethodHandle CLOSE =
      handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
  static final MethodHandle IF_NAMETOINDEX =
      handle("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);

  /** One errno capture segment per thread, allocated once. */
  private static final ThreadLocal<MemorySegment> ERRNO_STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private Libc() {}

  /** The variadic {@code ioctl(fd, request, argument)} for one type of argument. */
  private static MethodHandle ioctl(MemoryLayout argument) {
    return handle(
        "ioctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, argument),
        CAPTURE_ERRNO,
        Linker.Option.firstVariadicArg(2));
  }

  private static MethodHandle handle(
      String name, FunctionDescriptor descriptor, Linker.Option... options) {
    var symbol =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return LINKER.downcallHandle(symbol, descriptor, options);
  }

  /** The capture segment to pass as the first argument of a downcall on this thread. */
  static MemorySegment errnoState() {
    return ERRNO_STATE.get();
  }

  /** The errno the last downcall on this thread captured into {@code state}. */
  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /** The short at {@code offset} of a {@code struct pollfd} array element. */
  static short revents(MemorySegment pollfds, int index) {
    return pollfds.get(JAVA_SHORT, (long) index * POLLFD_SIZE + 6);
  }

  static void pollfd(MemorySegment pollfds, int index, int fd, short events) {
    long base = (long) index * POLLFD_SIZE;
    pollfds.set(JAVA_INT, base, fd);
    pollfds.set(JAVA_SHORT, base + 4, events);
    pollfds.set(JAVA_SHORT, base + 6, (short) 0);
  }

  /** Wraps a checked throwable from {@code MethodHandle.invokeExact}, which cannot happen here. */
  static AssertionError unexpected(Throwable t) {
    return new AssertionError("native call failed unexpectedly", t);
  }
}
