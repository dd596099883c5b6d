package dev.wiremesh.wireguard.tun;

import java.lang.foreign.Arena;
import java.util.OptionalInt;

/** Look-ups of network interfaces by name, for the daemon and for tests. */
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
}
