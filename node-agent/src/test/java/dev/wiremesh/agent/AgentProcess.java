package dev.wiremesh.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real node agent (the packaged Quarkus app) running as root in its own network namespace,
 * reachable from the test over a control veth, as the operator would reach it over the node
 * network.
 */
final class AgentProcess implements AutoCloseable {
  final String ns;
  final String controlIp;
  final Path home;
  private Process process;
  private List<String> extraFlags = List.of();

  AgentProcess(String ns, String controlIp, Path home) {
    this.ns = ns;
    this.controlIp = controlIp;
    this.home = home;
  }

  /**
   * The JVM flags the agent ships with ({@code wiremesh.agent.jvm-flags} in node-agent/pom.xml,
   * which the build passes to the tests), or the few it cannot run without.
   */
  static List<String> shippedFlags() {
    String flags = System.getProperty("wiremesh.agent.jvm-flags", "").strip();
    return flags.isEmpty()
        ? List.of(
            "--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-XX:+UseSerialGC")
        : List.of(flags.split("\\s+"));
  }

  /** JVM flags added to the shipped ones from the next {@link #start}. */
  void extraFlags(List<String> flags) {
    this.extraFlags = List.copyOf(flags);
  }

  /** Starts the agent and returns the time until it answered its readiness probe, in ms. */
  long start(boolean expectReady) throws Exception {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    List<String> cmd = new java.util.ArrayList<>();
    cmd.addAll(
        List.of(
            "ip",
            "netns",
            "exec",
            ns,
            "env",
            "WIREMESH_TLS_DIR=" + home.resolve("tls"),
            "WIREMESH_AGENT_STATE_DIR=" + home.resolve("state"),
            ProcessHandle.current().info().command().orElse("java")));
    cmd.addAll(shippedFlags());
    cmd.addAll(extraFlags);
    // From the jar's folder, by its relative name, as the local mesh runs it: an AOT cache holds
    // the class path it was made with.
    cmd.addAll(List.of("-jar", jar.getFileName().toString()));
    long t0 = System.nanoTime();
    process =
        new ProcessBuilder(cmd)
            .directory(jar.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile()))
            .start();
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String path = expectReady ? "/q/health/ready" : "/q/health/live";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("agent exited; the end of its log:\n" + logTail(60));
      }
      try {
        var r =
            plain.send(
                HttpRequest.newBuilder(URI.create("http://" + controlIp + ":9090" + path))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.onSpinWait();
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException(
        "agent in " + ns + " not " + path + " within 60 s; the end of its log:\n" + logTail(60));
  }

  /** Resident memory of the agent's JVM, kB. */
  long rssKb() throws IOException {
    for (ProcessHandle h :
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(process.toHandle()), process.descendants())
            .toList()) {
      if (h.info().command().orElse("").endsWith("java")) {
        for (String line :
            Files.readAllLines(Path.of("/proc", String.valueOf(h.pid()), "status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      }
    }
    return -1;
  }

  /** The last {@code lines} lines of the agent's log (every start appends to it). */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(home.resolve("agent.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The agent's process id (the JVM's: `ip netns exec` and `env` exec it). */
  long pid() {
    return process.pid();
  }

  /**
   * SIGTERM, a graceful stop (the JVM runs its shutdown: an AOT cache being recorded is written).
   */
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  /** SIGKILL, as a crash or an OOM kill would. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws Exception {
    kill();
  }
}
