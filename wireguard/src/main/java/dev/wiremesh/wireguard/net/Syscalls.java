package dev.wiremesh.wireguard.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wiremesh.wireguard.os.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc socket calls the UDP code makes, as FFM downcall handles that capture {@code errno} into
 * a per-thread segment (no native allocation per call), with the Linux constants they need.
 */
final class Syscalls {
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_NONBLOCK = 0x800;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SOL_SOCKET = 1;
  static final int SO_TYPE = 3;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVBUF = 8;
  static final int SO_SNDBUFFORCE = 32;
  static final int SO_RCVBUFFORCE = 33;
  static final int SO_MARK = 36;
  static final int IPPROTO_IP = 0;
  static final int IP_PKTINFO = 8;
  static final int IPPROTO_IPV6 = 41;
  static final int IPV6_V6ONLY = 26;
  static final int IPV6_RECVPKTINFO = 49;
  static final int IPV6_PKTINFO = 50;
  static final int SOL_UDP = 17;
  static final int UDP_SEGMENT = 103;
  static final int UDP_GRO = 104;
  static final int EFD_NONBLOCK = 0x800;
  static final int EFD_CLOEXEC = 0x80000;
  static final short POLLIN = 0x1;
  static final short POLLOUT = 0x4;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(PathElement.groupElement("errno")).withInvokeExactBehavior();

  static final MethodHandle SOCKET =
      handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  static final MethodHandle BIND =
      handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  static final MethodHandle SETSOCKOPT =
      handle(
          "setsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  static final MethodHandle GETSOCKOPT =
      handle(
          "getsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle GETSOCKNAME =
      handle("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle RECVMSG =
      handle("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  static final MethodHandle SENDMSG =
      handle("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  static final MethodHandle POLL =
      handle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  static final MethodHandle EVENTFD =
      handle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  static final MethodHandle WRITE =
      handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private static final ThreadLocal<MemorySegment> ERRNO_STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private Syscalls() {}

  private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
    var symbol =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
  }

  /** This thread's errno capture segment, the first argument of every downcall here. */
  static MemorySegment state() {
    return ERRNO_STATE.get();
  }

  /** The errno the last downcall on this thread captured. */
  static int errno() {
    return (int) ERRNO.get(ERRNO_STATE.get(), 0L);
  }

  /** {@code EADDRINUSE} for 98; {@code errno 123} for a number not in the table. */
  static String name(int errno) {
    return Errno.name(errno);
  }

  static void pollfd(MemorySegment pollfds, int index, int fd, short events) {
    long base = index * 8L;
    pollfds.set(JAVA_INT, base, fd);
    pollfds.set(JAVA_SHORT, base + 4, events);
    pollfds.set(JAVA_SHORT, base + 6, (short) 0);
  }

  static short revents(MemorySegment pollfds, int index) {
    return pollfds.get(JAVA_SHORT, index * 8L + 6);
  }

  /** Wraps what {@code invokeExact} declares but these handles never throw. */
  static AssertionError unexpected(Throwable t) {
    return new AssertionError("native call failed unexpectedly", t);
  }
}
