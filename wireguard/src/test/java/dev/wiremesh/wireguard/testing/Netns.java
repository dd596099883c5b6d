package dev.wiremesh.wireguard.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace for integration tests: a "node" on this machine. Created with a unique name,
 * deleted (with every process in it) by {@link #close()}. Needs root.
 */
public final class Netns implements AutoCloseable {
  private final String name;
  private final List<Process> processes = new ArrayList<>();

  private Netns(String name) {
    this.name = name;
  }

  /** Creates {@code <prefix><random>} with its loopback up. */
  public static Netns create(String prefix) {
    String name =
        prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
    run("ip", "netns", "add", name);
    Netns ns = new Netns(name);
    ns.exec("ip", "link", "set", "lo", "up");
    return ns;
  }

  public String name() {
    return name;
  }

  /**
   * Joins two namespaces with a veth pair and gives each end its addresses ({@code 10.0.0.1/24},
   * {@code fd00::1/64}...). IPv6 duplicate address detection is turned off so addresses work at
   * once.
   */
  public static void link(
      Netns a, String ifA, List<String> addrsA, Netns b, String ifB, List<String> addrsB) {
    run(
        "ip", "link", "add", ifA, "netns", a.name, "type", "veth", "peer", "name", ifB, "netns",
        b.name);
    for (var side : List.of(new Object[] {a, ifA, addrsA}, new Object[] {b, ifB, addrsB})) {
      Netns ns = (Netns) side[0];
      String dev = (String) side[1];
      ns.exec(
          "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
      ns.exec("sysctl", "-qw", "net.ipv6.conf." + dev + ".accept_dad=0");
      @SuppressWarnings("unchecked")
      List<String> addrs = (List<String>) side[2];
      for (String addr : addrs) {
        ns.exec("ip", "addr", "add", addr, "dev", dev, "nodad");
      }
      ns.exec("ip", "link", "set", dev, "up");
    }
  }

  /** Runs a command inside the namespace; fails the test with its output when it exits non-zero. */
  public String exec(String... command) {
    return run(prefixed(command));
  }

  /**
   * Runs a command inside the namespace and returns its exit status and output, whatever they are.
   */
  public Result tryExec(Duration timeout, String... command) {
    return tryRun(timeout, prefixed(command));
  }

  /** Starts a long-running command inside the namespace; it is killed by {@link #close()}. */
  public Process spawn(String... command) {
    try {
      Process p = new ProcessBuilder(prefixed(command)).redirectErrorStream(true).start();
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command), e);
    }
  }

  private String[] prefixed(String... command) {
    String[] full = new String[command.length + 4];
    full[0] = "ip";
    full[1] = "netns";
    full[2] = "exec";
    full[3] = name;
    System.arraycopy(command, 0, full, 4, command.length);
    return full;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    Result pids = tryRun(Duration.ofSeconds(5), "ip", "netns", "pids", name);
    for (String pid : pids.output().split("\\s+")) {
      if (!pid.isBlank()) {
        tryRun(Duration.ofSeconds(5), "kill", "-9", pid.trim());
      }
    }
    tryRun(Duration.ofSeconds(10), "ip", "netns", "del", name);
  }

  /** The exit status and combined output of a command. */
  public record Result(int status, String output) {
    public boolean ok() {
      return status == 0;
    }
  }

  /** Runs a command in the root namespace; fails with its output when it exits non-zero. */
  public static String run(String... command) {
    Result r = tryRun(Duration.ofSeconds(60), command);
    if (!r.ok()) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + r.status + ": " + r.output.strip());
    }
    return r.output;
  }

  /** Runs a command in the root namespace and returns what happened. */
  public static Result tryRun(Duration timeout, String... command) {
    java.nio.file.Path out = null;
    try {
      out = java.nio.file.Files.createTempFile("netns", ".out");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return new Result(-1, java.nio.file.Files.readString(out) + " (timed out)");
      }
      return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    } finally {
      if (out != null) {
        out.toFile().delete();
      }
    }
  }
}
