package dev.wiremesh.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The plugin's entry point. Exit status and errors as kubectl's: 0 on success; 1 with {@code error:
 * ...} on standard error for anything else, a usage error adding where to find the usage.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(Terminal.system(), Connector.kubeconfig(), args));
  }

  /** Runs one command line; returns the exit status. */
  public static int run(Terminal terminal, Connector connector, String... args) {
    CommandLine cli = new CommandLine(new WiremeshCommand(terminal, connector));
    cli.setOut(new PrintWriter(terminal.out(), true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(terminal.err(), true, StandardCharsets.UTF_8));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(
        (e, a) -> {
          terminal.err().println("error: " + e.getMessage());
          String name = e.getCommandLine().getCommandName();
          String full =
              name.equals("kubectl wiremesh") ? "kubectl wiremesh" : "kubectl wiremesh " + name;
          terminal.err().println("See '" + full + " --help' for usage.");
          return 1;
        });
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          if (e instanceof CliException) {
            terminal.err().println("error: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return cli.execute(args);
  }
}
