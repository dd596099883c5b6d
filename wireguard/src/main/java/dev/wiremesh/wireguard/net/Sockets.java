package dev.wiremesh.wireguard.net;

import static dev.wiremesh.wireguard.net.Syscalls.unexpected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Integer socket options through the FFM API, including those the JDK does not offer ({@code
 * SO_MARK}, {@code IP_PKTINFO}), and the descriptor behind a JDK channel.
 *
 * <p>The JDK does not reveal a channel's descriptor, so {@link #findDescriptor} finds it the way
 * {@code ss -p} would: among this process's descriptors, the datagram socket whose {@code
 * getsockname} is the channel's family, wildcard address and port. Only one socket of the process
 * can be bound there (no {@code SO_REUSEPORT}), so the match is unique.
 */
final class Sockets {
  private Sockets() {}

  /** {@code setsockopt(fd, level, option, &value, 4)}; returns 0 or the errno. */
  static int trySetInt(int fd, int level, int option, int value) {
    try (var arena = Arena.ofConfined()) {
      var segment = arena.allocateFrom(JAVA_INT, value);
      int rc =
          (int) Syscalls.SETSOCKOPT.invokeExact(Syscalls.state(), fd, level, option, segment, 4);
      return rc == 0 ? 0 : Syscalls.errno();
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code setsockopt} of an int, or an IOException naming {@code what} and the errno. */
  static void setInt(int fd, int level, int option, int value, String what) throws IOException {
    int errno = trySetInt(fd, level, option, value);
    if (errno != 0) {
      throw new IOException("cannot set " + what + ": " + Syscalls.name(errno));
    }
  }

  /** {@code getsockopt} of an int; returns null if the call fails. */
  static Integer getInt(int fd, int level, int option) {
    try (var arena = Arena.ofConfined()) {
      var value = arena.allocate(JAVA_INT);
      var length = arena.allocateFrom(JAVA_INT, 4);
      int rc =
          (int) Syscalls.GETSOCKOPT.invokeExact(Syscalls.state(), fd, level, option, value, length);
      return rc == 0 ? value.get(JAVA_INT, 0) : null;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code setsockopt(fd, SOL_SOCKET, SO_MARK, mark)}. */
  static void setMark(int fd, int mark) throws IOException {
    int errno = trySetInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_MARK, mark);
    if (errno != 0) {
      throw new IOException(
          "cannot set fwmark "
              + Integer.toUnsignedString(mark)
              + ": "
              + Syscalls.name(errno)
              + (errno == Errno.EPERM ? " (needs CAP_NET_ADMIN)" : ""));
    }
  }

  /** {@code getsockopt(fd, SOL_SOCKET, SO_MARK)}. */
  static int mark(int fd) throws IOException {
    Integer mark = getInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_MARK);
    if (mark == null) {
      throw new IOException("cannot read SO_MARK: " + Syscalls.name(Syscalls.errno()));
    }
    return mark;
  }

  /**
   * The descriptor of this process's datagram socket bound to the wildcard address of {@code
   * local}'s family and {@code local}'s port.
   *
   * @throws IOException if there is none
   */
  static int findDescriptor(InetSocketAddress local) throws IOException {
    int family = local.getAddress() instanceof Inet6Address ? Syscalls.AF_INET6 : Syscalls.AF_INET;
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"));
        var arena = Arena.ofConfined()) {
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
        Integer type = getInt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_TYPE);
        if (type == null || type != Syscalls.SOCK_DGRAM) {
          continue;
        }
        sockaddr.fill((byte) 0);
        length.set(JAVA_INT, 0, 128);
        if ((int) Syscalls.GETSOCKNAME.invokeExact(Syscalls.state(), fd, sockaddr, length) != 0) {
          continue;
        }
        if (sockaddr.get(JAVA_SHORT, 0) == family
            && SockAddr.port(sockaddr) == local.getPort()
            && isWildcard(sockaddr, family)) {
          return fd;
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
    throw new IOException("no socket of this process is bound to " + local);
  }

  private static boolean isWildcard(MemorySegment sockaddr, int family) {
    // sockaddr_in: address at 4 (4 bytes); sockaddr_in6: flowinfo at 4, address at 8 (16 bytes)
    long from = family == Syscalls.AF_INET ? 4 : 8;
    long to = family == Syscalls.AF_INET ? 8 : 24;
    for (long i = from; i < to; i++) {
      if (sockaddr.get(JAVA_BYTE, i) != 0) {
        return false;
      }
    }
    return true;
  }
}
