package dev.wiremesh.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * What a command talks to besides the cluster: its streams, whether standard output is a terminal
 * (colour, and refusing binary output there), the environment and the clock.
 *
 * @param colour whether to colour output: standard output is a terminal and NO_COLOR is unset
 */
public record Terminal(
    PrintStream out,
    PrintStream err,
    InputStream in,
    OutputStream rawOut,
    boolean colour,
    boolean outIsTerminal,
    Map<String, String> env,
    Clock clock) {

  /** The process's own terminal. */
  public static Terminal system() {
    boolean tty = System.console() != null && System.console().isTerminal();
    return new Terminal(
        new PrintStream(System.out, true, StandardCharsets.UTF_8),
        new PrintStream(System.err, true, StandardCharsets.UTF_8),
        System.in,
        System.out,
        tty && System.getenv("NO_COLOR") == null,
        tty,
        System.getenv(),
        Clock.systemUTC());
  }
}
