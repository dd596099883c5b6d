package dev.wiremesh.agent;

import java.util.concurrent.TimeUnit;

/** Shell commands for the integration tests that build network namespaces. */
public final class Commands {
  private Commands() {}

  /** Runs {@code cmd}; its output, or an exception with the output when it fails. */
  public static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
    return out;
  }

  /** Whether {@code cmd} succeeds within 10 seconds (its output is dropped). */
  public static boolean ok(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /** {@code cmd} run in network namespace {@code ns}. */
  public static String[] in(String ns, String... cmd) {
    String[] out = new String[cmd.length + 4];
    out[0] = "ip";
    out[1] = "netns";
    out[2] = "exec";
    out[3] = ns;
    System.arraycopy(cmd, 0, out, 4, cmd.length);
    return out;
  }

  /** One ping from namespace {@code ns}: whether it was answered within a second. */
  public static boolean ping(String ns, String ip) throws Exception {
    return ok(in(ns, "ping", "-c", "1", "-W", "1", ip));
  }
}
