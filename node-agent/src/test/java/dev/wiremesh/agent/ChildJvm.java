package dev.wiremesh.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM on this module's test class path running one main class, for tests that kill a process
 * (SIGKILL, as a crash or the OOM killer does) at a point of their choosing and look at what it
 * left on disk. Talks over the child's stdin and stdout, line by line; its stderr (logs) goes to a
 * file, quoted when it does not answer.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path stderr;
  private final BufferedReader out;
  private final PrintWriter in;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in =
        new PrintWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
  }

  /** Starts {@code main} with {@code args}. */
  public static ChildJvm start(Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-XX:TieredStopAtLevel=1"); // a quick start: tests start many of them
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Path stderr = Files.createTempFile("child-jvm-", ".log");
    return new ChildJvm(new ProcessBuilder(cmd).redirectError(stderr.toFile()).start(), stderr);
  }

  /** The next line it printed; fails when it ended instead (with what it printed last). */
  public String readLine() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException(
          "the child JVM ended (exit "
              + exitCode()
              + ") instead of printing a line; its stderr:\n"
              + Files.readString(stderr));
    }
    return line;
  }

  /** Sends one line to its stdin. */
  public void println(String line) {
    in.println(line);
  }

  /** SIGKILL, and waits until it is gone: it gets no chance to finish anything. */
  public void kill() throws IOException, InterruptedException {
    Runtime.getRuntime()
        .exec(new String[] {"kill", "-KILL", String.valueOf(process.pid())})
        .waitFor();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the child JVM " + process.pid() + " outlived SIGKILL");
    }
  }

  /** After {@link #kill}: every line it printed that was not read yet. */
  public List<String> remainingLines() throws IOException {
    List<String> lines = new ArrayList<>();
    for (String l = out.readLine(); l != null; l = out.readLine()) {
      lines.add(l);
    }
    return lines;
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "none";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "none";
    }
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    Files.deleteIfExists(stderr);
  }
}
