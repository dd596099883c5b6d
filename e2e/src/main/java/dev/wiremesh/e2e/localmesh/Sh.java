package dev.wiremesh.e2e.localmesh;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host's network tools (ip, ping, wg) and says exactly what failed. */
public final class Sh {

  private Sh() {}

  /** The command's output; fails with the command and its output when it exits non-zero. */
  public static String run(String... cmd) {
    Result r = tryRun(cmd);
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "`" + String.join(" ", cmd) + "` exited with " + r.exit() + ": " + r.output().strip());
    }
    return r.output();
  }

  /** The command's exit status and output (stdout and stderr together), within 60 s. */
  public static Result tryRun(String... cmd) {
    try {
      Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(124, out + "\n(timed out after 60 s)");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(127, cmd[0] + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "interrupted");
    }
  }

  /** The same command inside network namespace {@code ns}. */
  public static String[] inNetns(String ns, String... cmd) {
    String[] out = new String[cmd.length + 4];
    out[0] = "ip";
    out[1] = "netns";
    out[2] = "exec";
    out[3] = ns;
    System.arraycopy(cmd, 0, out, 4, cmd.length);
    return out;
  }

  public record Result(int exit, String output) {}
}
