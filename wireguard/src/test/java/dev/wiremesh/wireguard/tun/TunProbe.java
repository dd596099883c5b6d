package dev.wiremesh.wireguard.tun;

import java.io.IOException;

/**
 * A main for {@link LinuxTunPrivilegesIT}: creates a TUN and prints what happened, so the test can
 * run it in a child process with fewer privileges.
 */
public final class TunProbe {
  private TunProbe() {}

  public static void main(String[] args) {
    try (var tun = LinuxTun.create(args[0])) {
      System.out.println("created " + tun.name());
    } catch (IOException | RuntimeException e) {
      System.out.println(e.getMessage());
    }
  }
}
