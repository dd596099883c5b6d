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

  AgentProcess(String ns, String controlIp, Path home) {
    this.ns = ns;
    this.controlIp = controlIp;
    this.home = home;
  }

  /** Starts the agent and returns the time until it answered its readiness probe, in ms. */
  long start(boolean expectReady) throws Exception {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    List<String> cmd =
        List.of(
            "ip",
            "netns",
            "exec",
            ns,
            "env",
            "WIREMESH_TLS_DIR=" + home.resolve("tls"),
            "WIREMESH_AGENT_STATE_DIR=" + home.resolve("state"),
            ProcessHandle.current().info().command().orElse("java"),
            "--enable-native-access=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "-XX:+UseSerialGC",
            "-jar",
            jar.toString());
    long t0 = System.nanoTime();
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile()))
            .start();
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String path = expectReady ? "/q/health/ready" : "/q/health/live";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "agent exited: " + Files.readString(home.resolve("agent.log")));
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
    throw new IllegalStateException("agent in " + ns + " not up within 60 s");
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
