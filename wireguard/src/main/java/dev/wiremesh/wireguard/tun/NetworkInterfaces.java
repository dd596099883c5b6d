package dev.wiremesh.wireguard.tun;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.OptionalInt;

/** Look-ups and settings of network interfaces by name, for the daemon and for tests. */
public final class NetworkInterfaces {
  private NetworkInterfaces() {}

  /**
   * The interface's index ({@code if_nametoindex(3)}), or empty if no interface of that name exists
   * in this process's network namespace.
   */
  public static OptionalInt index(String name) {
    LinuxTun.validateName(name);
    try (var arena = Arena.ofConfined()) {
      int index =
          (int) Libc.IF_NAMETOINDEX.invokeExact(Libc.errnoState(), arena.allocateFrom(name));
      return index == 0 ? OptionalInt.empty() : OptionalInt.of(index);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.unexpected(t);
    }
  }

  /** Whether an interface of that name exists in this process's network namespace. */
  public static boolean exists(String name) {
    return index(name).isPresent();
  }

  /**
   * The interface's MTU ({@code SIOCGIFMTU}).
   *
   * @throws IOException naming the interface and the errno (ENODEV: no such interface)
   */
  public static int mtu(String name) throws IOException {
    return ifreqInt(name, Libc.SIOCGIFMTU, 0, "read the MTU of");
  }

  /**
   * Sets the interface's MTU ({@code SIOCSIFMTU}, needs CAP_NET_ADMIN).
   *
   * @throws IOException naming the interface, the MTU and the errno (EINVAL: out of the range the
   *     driver allows, 68-65535 for a TUN)
   */
  public static void setMtu(String name, int mtu) throws IOException {
    ifreqInt(name, Libc.SIOCSIFMTU, mtu, "set MTU " + mtu + " on");
  }

  /** An ioctl that failed, with its errno so callers can tell ENODEV apart. */
  static final class IoctlException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    IoctlException(String message, int errno) {
      super(message);
      this.errno = errno;
    }

    int errno() {
      return errno;
    }
  }

  /**
   * An {@code SIOC*IF*} ioctl whose {@code struct ifreq} carries one int at offset 16, on a
   * short-lived AF_INET datagram socket (the kernel wants some socket; which one does not matter).
   */
  private static int ifreqInt(String name, long request, int value, String what)
      throws IOException {
    LinuxTun.validateName(name);
    var state = Libc.errnoState();
    int socket = -1;
    try (var arena = Arena.ofConfined()) {
      socket =
          (int)
              Libc.SOCKET.invokeExact(state, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
      if (socket < 0) {
        throw new IOException("cannot open a control socket: " + Errno.name(Libc.errno(state)));
      }
      var ifreq = arena.allocate(Libc.IFREQ_SIZE);
      ifreq.setString(0, name);
      ifreq.set(JAVA_INT, Libc.IFREQ_UNION, value);
      int rc = (int) Libc.IOCTL.invokeExact(state, socket, request, ifreq);
      if (rc < 0) {
        int errno = Libc.errno(state);
        throw new IoctlException(
            "cannot " + what + " interface \"" + name + "\": " + Errno.name(errno), errno);
      }
      return ifreq.get(JAVA_INT, Libc.IFREQ_UNION);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw Libc.unexpected(t);
    } finally {
      if (socket >= 0) {
        try {
          int ignored = (int) Libc.CLOSE.invokeExact(state, socket);
        } catch (Throwable t) {
          throw Libc.unexpected(t);
        }
      }
    }
  }
}
