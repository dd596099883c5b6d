package dev.wiremesh.cli;

import dev.wiremesh.cli.graph.GraphCommand;
import dev.wiremesh.cli.plan.PlanCommand;
import dev.wiremesh.cli.showconf.ShowconfCommand;
import dev.wiremesh.cli.status.StatusCommand;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code kubectl wiremesh}: the mesh as a table or a picture, an external peer's file, a plan. */
@Command(
    name = "kubectl wiremesh",
    mixinStandardHelpOptions = true,
    versionProvider = WiremeshCommand.Version.class,
    description = "See a WireMesh mesh, get an external peer's configuration, plan a change.",
    subcommands = {
      StatusCommand.class,
      GraphCommand.class,
      ShowconfCommand.class,
      PlanCommand.class,
      CommandLine.HelpCommand.class
    })
public final class WiremeshCommand implements Runnable {

  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "The kubeconfig to use (default: KUBECONFIG, then ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--context",
      scope = ScopeType.INHERIT,
      paramLabel = "NAME",
      description = "The kubeconfig context to use (default: its current context).")
  String context;

  private final Terminal terminal;
  private final Connector connector;

  public WiremeshCommand(Terminal terminal, Connector connector) {
    this.terminal = terminal;
    this.connector = connector;
  }

  public Terminal terminal() {
    return terminal;
  }

  /** A reader of the cluster that the options name. */
  public Cluster cluster() {
    return new Cluster(connector.connect(kubeconfig, context));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a command is required: status, graph, showconf or plan");
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = WiremeshCommand.class.getPackage().getImplementationVersion();
      return new String[] {"kubectl-wiremesh " + (v == null ? "(development build)" : v)};
    }
  }
}
