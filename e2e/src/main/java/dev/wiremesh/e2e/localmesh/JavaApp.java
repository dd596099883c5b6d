package dev.wiremesh.e2e.localmesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Quarkus app of this repository (the operator, a node agent) run as its own JVM, optionally in a
 * network namespace, its output appended to a log file. Stopping sends SIGTERM (a graceful stop)
 * and kills it when it has not exited after 10 s.
 */
public final class JavaApp {

  private final String name;
  private final Path jar;
  private final Map<String, String> env;
  private final String netns;
  private final Path log;
  private final Path uapiDir;
  private Process process;
  private List<String> memoryFlags;
  private Map<String, String> memoryEnv = Map.of();

  /**
   * @param jar a quarkus-run.jar
   * @param netns the namespace to run in, or null for the host's
   */
  public JavaApp(String name, Path jar, Map<String, String> env, String netns, Path log) {
    this(name, jar, env, netns, null, log);
  }

  /**
   * @param uapiDir with a namespace: a folder mounted over /var/run/wireguard for this app only
   *     (`ip netns exec` gives it its own mount namespace), so that `wg` run in the app's
   *     namespaces finds its interfaces while every node's interface has the same name
   */
  public JavaApp(
      String name, Path jar, Map<String, String> env, String netns, Path uapiDir, Path log) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " does not exist: build it first (./mvnw -B package -DskipTests from the"
              + " repository root)");
    }
    this.name = name;
    this.jar = jar;
    this.env = Map.copyOf(env);
    this.netns = netns;
    this.log = log;
    this.uapiDir = uapiDir;
    this.memoryFlags = JvmFlags.forJar(jar);
  }

  /**
   * Replaces the memory flags ({@link JvmFlags#AGENT} or {@link JvmFlags#OPERATOR}) from the next
   * {@link #start}, with environment variables for the JVM besides (e.g. glibc's {@code
   * MALLOC_ARENA_MAX}; those of an earlier call go): for measuring other flags
   * (e2e/bench/footprint.sh).
   */
  public synchronized void useMemoryFlags(List<String> flags, Map<String, String> env) {
    this.memoryFlags = List.copyOf(flags);
    this.memoryEnv = Map.copyOf(env);
  }

  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
      if (uapiDir != null) {
        Files.createDirectories(uapiDir);
        Files.createDirectories(Path.of("/var/run/wireguard"));
        cmd.addAll(
            List.of(
                "sh",
                "-c",
                "mount --bind \"$0\" /var/run/wireguard && exec \"$@\"",
                uapiDir.toString()));
      }
    }
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(JvmFlags.NATIVE);
    cmd.addAll(JvmFlags.present(memoryFlags, jar.getParent()));
    // From the jar's folder, by its relative name: an AOT cache holds the class path it was made
    // with, and the JVM refuses the cache when the path differs.
    cmd.addAll(List.of("-jar", jar.getFileName().toString()));
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(jar.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().putAll(memoryEnv);
    process = pb.start();
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** SIGTERM, then SIGKILL after 10 s; quiet when not running. */
  public void stop() {
    stop(false);
  }

  /** SIGKILL at once: a crash, as far as the app can tell. */
  public void kill() {
    stop(true);
  }

  private synchronized void stop(boolean hard) {
    if (process == null) {
      return;
    }
    // `ip netns exec` execs the JVM, so the process is the JVM itself.
    if (hard) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  /** The last lines of the log, for error messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
