package dev.wiremesh.wireguard.cli;

import dev.wiremesh.wireguard.device.Device;
import dev.wiremesh.wireguard.net.LinuxBind;
import dev.wiremesh.wireguard.offload.Offloads;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.LinuxTun;
import dev.wiremesh.wireguard.uapi.UapiHandler;
import dev.wiremesh.wireguard.uapi.UapiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The standalone daemon, with wireguard-go's contract: {@code wiremesh-wg [-f|--foreground]
 * <ifname>} creates the TUN and the UAPI socket, runs until the interface is deleted or SIGTERM or
 * SIGINT arrives, then removes the socket. The launcher script ({@code bin/wiremesh-wg}) puts it in
 * the background and waits for the "ready" line this class writes to {@code
 * WIREMESH_WG_STATUS_FILE}, or the one error line it writes there instead.
 */
public final class Main {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  /** Test-only: run the protocol's timers this many times faster (interop rekey tests). */
  static final String TIME_SCALE_ENV = "WIREMESH_WG_TIME_SCALE";

  private Main() {}

  public static void main(String[] args) {
    String ifname = null;
    for (String a : args) {
      switch (a) {
        case "-f", "--foreground" -> {}
        case "--version" -> {
          System.out.println("wiremesh-wg " + version());
          return;
        }
        default -> {
          if (a.startsWith("-") || ifname != null) {
            fail("usage: wiremesh-wg [-f|--foreground] INTERFACE-NAME");
          }
          ifname = a;
        }
      }
    }
    if (ifname == null) {
      fail("usage: wiremesh-wg [-f|--foreground] INTERFACE-NAME");
    }
    try {
      LogSetup.configure(ifname, LogSetup.parse(System.getenv("LOG_LEVEL")));
      run(ifname, timing());
    } catch (IllegalArgumentException e) {
      fail(e.getMessage());
    }
  }

  private static ProtocolTiming timing() {
    String scale = System.getenv(TIME_SCALE_ENV);
    if (scale == null || scale.isEmpty()) {
      return ProtocolTiming.standard();
    }
    double factor;
    try {
      factor = Double.parseDouble(scale);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          TIME_SCALE_ENV + " must be a number above 0, got " + scale);
    }
    if (!(factor > 0)) {
      throw new IllegalArgumentException(
          TIME_SCALE_ENV + " must be a number above 0, got " + scale);
    }
    LOG.warning("timers run " + factor + " times faster (" + TIME_SCALE_ENV + "): for tests only");
    return ProtocolTiming.scaled(1 / factor);
  }

  /** wireguard-go's DefaultMTU. */
  static final int DEFAULT_MTU = 1420;

  private static void run(String ifname, ProtocolTiming timing) {
    LOG.info("Starting wiremesh-wg version " + version());
    Offloads offloads = Offloads.fromEnvironment(); // a bad WIREMESH_WG_DISABLE_OFFLOADS fails here
    LinuxTun tun;
    try {
      tun = LinuxTun.create(ifname, offloads);
      // As wireguard-go's CreateTUN(name, DefaultMTU): a full-size inner packet plus the 60 bytes
      // of
      // IPv6, UDP and transport overhead fits a 1500-byte link, so nothing is fragmented.
      tun.setMtu(DEFAULT_MTU);
    } catch (IOException e) {
      fail("cannot create TUN interface " + ifname + ": " + e.getMessage());
      return;
    }
    Device device = new Device(tun, new LinuxBind(offloads), Clock.system(), timing);
    UapiServer uapi;
    try {
      device.start();
      uapi = UapiServer.start(UapiServer.SOCKET_DIR, tun.name(), new UapiHandler(device));
    } catch (IOException e) {
      device.close();
      fail(tun.name() + ": " + e.getMessage());
      return;
    }
    // SIGTERM and SIGINT end the daemon as wireguard-go does: a clean shutdown and exit status 0
    // (the JVM's default would exit 143 or 130). The hook covers any other way out.
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(
          new sun.misc.Signal(name),
          signal -> {
            LOG.info("received SIG" + signal.getName());
            device.close();
          });
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  uapi.close();
                  device.close();
                }));
    // What the kernel accepted, so a bug report shows the path taken (a fallback is never silent).
    LOG.info(offloads.describe());
    LOG.info("UAPI listener started on " + uapi.socket());
    LOG.info("device " + tun.name() + " started");
    status("ready");
    try {
      String reason = device.awaitTermination();
      LOG.info("Shutting down (" + reason + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    uapi.close();
    device.close();
    System.exit(0);
  }

  private static void status(String line) {
    String file = System.getenv("WIREMESH_WG_STATUS_FILE");
    if (file == null || file.isEmpty()) {
      return;
    }
    try {
      Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write the status file", e);
    }
  }

  /** One clear line, on stderr and to the launcher; exit status 1. */
  private static void fail(String message) {
    String line = "wiremesh-wg: " + message;
    System.err.println(line);
    status(line);
    System.exit(1);
  }

  private static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }
}
