package dev.wiremesh.wireguard.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Socket options the JDK does not offer ({@code SO_MARK}), set through the FFM API on the
 * descriptor behind a JDK channel.
 *
 * <p>The JDK does not reveal a channel's descriptor, so {@link #findDescriptor} finds it the way
 * {@code ss -p} would: among this process's descriptors, the datagram socket whose {@code
 * getsockname} is the channel's family, wildcard address and port. Only one socket of the process
 * can be bound there (no {@code SO_REUSEPORT}), so the match is unique.
 */
final class Sockets {
  static final int SOL_SOCKET = 1;
  static final int SO_TYPE = 3;
  static final int SO_MARK = 36;
  static final int SOCK_DGRAM = 2;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
  private static final MethodHandle SETSOCKOPT =
      handle(
          "setsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETSOCKOPT =
      handle(
          "getsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle GETSOCKNAME =
      handle("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

  private Sockets() {}

  private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
    var symbol =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
  }

  /**
   * The descriptor of this process's datagram socket bound to the wildcard address of {@code
   * local}'s family and {@code local}'s port.
   *
   * @throws IOException if there is none
   */
  static int findDescriptor(InetSocketAddress local) throws IOException {
    int family = local.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"));
        var arena = Arena.ofConfined()) {
      var state = arena.allocate(CAPTURE);
      var value = arena.allocate(JAVA_INT);
      var length = arena.allocate(JAVA_INT);
      var sockaddr = arena.allocate(128);
      for (var entry : fds.toList()) {
        int fd;
        try {
          fd = Integer.parseInt(entry.getFileName().toString());
          if (!Files.readSymbolicLink(entry).toString().startsWith("socket:")) {
            continue;
          }
        } catch (IOException | NumberFormatException e) {
          continue; // gone meanwhile, or the directory stream's own descriptor
        }
        length.set(JAVA_INT, 0, 4);
        if ((int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_TYPE, value, length) != 0
            || value.get(JAVA_INT, 0) != SOCK_DGRAM) {
          continue;
        }
        sockaddr.fill((byte) 0);
        length.set(JAVA_INT, 0, 128);
        if ((int) GETSOCKNAME.invokeExact(state, fd, sockaddr, length) != 0) {
          continue;
        }
        int port = ((sockaddr.get(JAVA_BYTE, 2) & 0xff) << 8) | (sockaddr.get(JAVA_BYTE, 3) & 0xff);
        if (sockaddr.get(JAVA_SHORT, 0) == family
            && port == local.getPort()
            && isWildcard(sockaddr, family)) {
          return fd;
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    throw new IOException("no socket of this process is bound to " + local);
  }

  private static boolean isWildcard(MemorySegment sockaddr, int family) {
    // sockaddr_in: address at 4 (4 bytes); sockaddr_in6: flowinfo at 4, address at 8 (16 bytes)
    long from = family == AF_INET ? 4 : 8;
    long to = family == AF_INET ? 8 : 24;
    for (long i = from; i < to; i++) {
      if (sockaddr.get(JAVA_BYTE, i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** {@code setsockopt(fd, SOL_SOCKET, SO_MARK, mark)}. */
  static void setMark(int fd, int mark) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CAPTURE);
      var value = arena.allocate(JAVA_INT);
      value.set(JAVA_INT, 0, mark);
      if ((int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_MARK, value, 4) != 0) {
        int errno = (int) ERRNO.get(state, 0L);
        throw new IOException(
            "cannot set fwmark "
                + Integer.toUnsignedString(mark)
                + ": "
                + (errno == 1 ? "EPERM (needs CAP_NET_ADMIN)" : "errno " + errno));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** {@code getsockopt(fd, SOL_SOCKET, SO_MARK)}. */
  static int mark(int fd) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CAPTURE);
      var value = arena.allocate(JAVA_INT);
      var length = arena.allocate(JAVA_INT);
      length.set(JAVA_INT, 0, 4);
      if ((int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_MARK, value, length) != 0) {
        throw new IOException("cannot read SO_MARK: errno " + (int) ERRNO.get(state, 0L));
      }
      return value.get(JAVA_INT, 0);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }
}
