package dev.wiremesh.e2e.localmesh;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code wiremesh-local up|down}: runs a local mesh in the foreground until Ctrl-C or {@code down}.
 * Exit status: 0 on success, 1 when the mesh did not come up or could not be stopped, 2 on a usage
 * error.
 */
public final class LocalMeshCommand {

  static final String USAGE =
      """
      usage: wiremesh-local up [--nodes N] [--state-dir DIR] [--api-port PORT] [--resync SECONDS] [--no-examples]
                               [--locations N [--intra-location Encrypted|Direct]]
                               [--nat NODE[:KIND][,NODE[:KIND]...]]
             wiremesh-local down [--state-dir DIR]
             wiremesh-local wg NODE [WG-ARGS...]

        up     starts an embedded API server, the operator and N node agents (each node a network
               namespace on a bridge), applies crds/examples, waits until every tunnel is up, prints
               the peers and a ping matrix, and keeps running until Ctrl-C or `down`
        down   stops a mesh started with `up` (and removes what a killed one left behind)
        wg     runs the stock wg(8) on a node of a running mesh, e.g. `wiremesh-local wg node-1 show`

        --nodes N          nodes to start, 1-50 (default 3; node-1 is the gateway for external peers)
        --state-dir DIR    logs, kubeconfig, the nodes' state (default /run/wiremesh-local)
        --api-port PORT    the API server's port on 127.0.0.1, 0 for any free one (default 0)
        --resync SECONDS   how often the operator re-reads the mesh and polls the agents (default 10)
        --no-examples      do not apply crds/examples (apply your own mesh with kubectl)
        --locations N      label the nodes with N locations in turn (topology.kubernetes.io/zone=zone-1,
                           zone-2, ...) and put the example mesh in topology mode Locations: one leader
                           per location; 1 to the number of nodes (default 0: a full mesh)
        --intra-location M with --locations: Encrypted (default, tunnels inside a location) or Direct
                           (none: the bridge carries a location's traffic; IPv4 only)
        --nat NODES        put each of these nodes behind its own NAT (nftables masquerade, no port
                           forwarding), e.g. --nat node-2,node-3 or --nat node-3:symmetric; KIND is
                           endpoint-independent (default: one public port for every destination) or
                           symmetric (a new port per destination); node-1 stays reachable; a NATed
                           node advertises its private address (docs/local-mesh.md)
      Needs root, and the operator and agent built: ./mvnw -B package -DskipTests
      """;

  private LocalMeshCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path home = Path.of(System.getProperty("wiremesh.home", ".")).toAbsolutePath().normalize();
    LocalMesh.Options defaults = LocalMesh.Options.defaults(home);
    Deque<String> a = new ArrayDeque<>(List.of(args));
    String command = a.pollFirst();
    if (command == null || command.equals("-h") || command.equals("--help")) {
      (command == null ? err : out).print(USAGE);
      return command == null ? 2 : 0;
    }
    if (command.equals("wg")) {
      return wg(a, defaults, err);
    }
    LocalMesh.Options o;
    try {
      o = parse(command, a, defaults);
    } catch (IllegalArgumentException e) {
      err.println("wiremesh-local: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try {
      return command.equals("up") ? up(o, out, err) : down(o, out, err);
    } catch (IOException | RuntimeException e) {
      err.println("wiremesh-local: " + e.getMessage());
      return 1;
    }
  }

  /** wg(8) in the node agent's network and mount namespaces (where its UAPI sockets are). */
  static int wg(Deque<String> a, LocalMesh.Options d, PrintStream err) {
    String node = a.pollFirst();
    if (node == null || !node.matches("node-\\d{1,2}")) {
      err.println("wiremesh-local: wg needs a node name such as node-1, not '" + node + "'");
      return 2;
    }
    String ns = new Network(d.prefix(), d.subnet()).namespace(Integer.parseInt(node.substring(5)));
    long pid = -1;
    for (String p : Sh.tryRun("ip", "netns", "pids", ns).output().split("\\s+")) {
      if (!p.isBlank()
          && ProcessHandle.of(Long.parseLong(p))
              .flatMap(h -> h.info().commandLine())
              .map(c -> c.contains("node-agent"))
              .orElse(false)) {
        pid = Long.parseLong(p);
      }
    }
    if (pid < 0) {
      err.println("wiremesh-local: no agent is running on " + node + " (namespace " + ns + ")");
      return 1;
    }
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("nsenter", "--target", Long.toString(pid), "--mount", "--net", "wg"));
    cmd.addAll(a.isEmpty() ? List.of("show") : a);
    try {
      return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    } catch (IOException e) {
      err.println("wiremesh-local: cannot run wg: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  static LocalMesh.Options parse(String command, Deque<String> a, LocalMesh.Options d) {
    if (!command.equals("up") && !command.equals("down")) {
      throw new IllegalArgumentException("unknown command '" + command + "': use up, down or wg");
    }
    int nodes = d.nodes();
    Path state = d.stateDir();
    int port = d.apiPort();
    Duration resync = d.resync();
    boolean examples = d.examples();
    int locations = d.locations();
    String intra = d.intraLocation();
    Map<String, NatKind> nat = new LinkedHashMap<>(d.nat());
    while (!a.isEmpty()) {
      String opt = a.pollFirst();
      switch (opt) {
        case "--state-dir" -> state = Path.of(value(opt, a));
        case "--nodes" -> nodes = number(opt, value(opt, a), command);
        case "--api-port" -> port = number(opt, value(opt, a), command);
        case "--resync" -> resync = Duration.ofSeconds(number(opt, value(opt, a), command));
        case "--locations" -> locations = number(opt, value(opt, a), command);
        case "--intra-location" -> {
          onlyUp(opt, command);
          intra = value(opt, a);
        }
        case "--nat" -> {
          onlyUp(opt, command);
          nat(value(opt, a), nat);
        }
        case "--no-examples" -> {
          onlyUp(opt, command);
          examples = false;
        }
        default -> throw new IllegalArgumentException("unknown option '" + opt + "'");
      }
    }
    if (locations > 0 && !examples) {
      throw new IllegalArgumentException(
          "--locations labels the nodes and sets the example mesh's topology: drop --no-examples");
    }
    return new LocalMesh.Options(
        d.home(),
        state,
        nodes,
        d.prefix(),
        d.subnet(),
        port,
        resync,
        examples,
        locations,
        intra,
        nat);
  }

  /** {@code node-2,node-3:symmetric} into {@code into}; which nodes exist the Options check. */
  static void nat(String value, Map<String, NatKind> into) {
    for (String item : value.split(",", -1)) {
      String[] f = item.split(":", -1);
      if (f[0].isBlank() || f.length > 2) {
        throw new IllegalArgumentException(
            "--nat: '" + item + "' is not NODE or NODE:KIND (e.g. --nat node-2,node-3:symmetric)");
      }
      NatKind kind = f.length == 2 ? NatKind.parse(f[1]) : NatKind.ENDPOINT_INDEPENDENT;
      if (into.put(f[0], kind) != null) {
        throw new IllegalArgumentException("--nat: " + f[0] + " is named twice");
      }
    }
  }

  private static String value(String opt, Deque<String> a) {
    String v = a.pollFirst();
    if (v == null || v.startsWith("--")) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return v;
  }

  private static int number(String opt, String v, String command) {
    onlyUp(opt, command);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " must be a whole number, not '" + v + "'");
    }
  }

  private static void onlyUp(String opt, String command) {
    if (!command.equals("up")) {
      throw new IllegalArgumentException(opt + " applies to `up` only");
    }
  }

  private static int up(LocalMesh.Options o, PrintStream out, PrintStream err) throws IOException {
    Path pidFile = o.stateDir().resolve("up.pid");
    if (Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        err.println(
            "wiremesh-local: a local mesh is already running (pid "
                + pid
                + "); stop it with `wiremesh-local down --state-dir "
                + o.stateDir()
                + "`");
        return 1;
      }
    }
    out.println(
        "Starting a local mesh of " + o.nodes() + " nodes (state in " + o.stateDir() + ") ...");
    LocalMesh mesh = LocalMesh.start(o);
    Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
    for (MeshNode n : mesh.nodes()) {
      mesh.natOf(n.name())
          .ifPresent(
              nat ->
                  out.println(
                      "  "
                          + n.name()
                          + " is behind its own NAT ("
                          + nat.kind()
                          + "): private "
                          + nat.privateAddress()
                          + ", public "
                          + nat.publicAddress()
                          + " (namespace "
                          + nat.namespace()
                          + ")"));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      out.println("Stopping the local mesh ...");
                      mesh.close();
                      try {
                        Files.deleteIfExists(pidFile);
                      } catch (IOException e) {
                        // the state folder is gone already
                      }
                      out.println("Stopped; namespaces and bridge removed.");
                      stopped.countDown();
                    }));
    out.println("API server: " + mesh.api().url() + "   kubeconfig: " + mesh.kubeconfig());
    out.println("Operator and agents started; waiting for every tunnel ...");
    PingMatrix matrix;
    try {
      matrix = mesh.awaitUp(Duration.ofSeconds(180));
    } catch (IllegalStateException e) {
      err.println("wiremesh-local: the mesh did not come up: " + e.getMessage());
      return 1; // the shutdown hook tears it down
    }
    out.println();
    out.println("$ kubectl get wgp");
    out.print(mesh.peerTable());
    out.println();
    out.println("Ping matrix over the tunnel addresses:");
    out.print(matrix.render());
    out.println();
    out.println("The mesh is up. Try:");
    out.println("  export KUBECONFIG=" + mesh.kubeconfig());
    out.println("  kubectl get wgm,wgp");
    out.println("  e2e/bin/wiremesh-local wg " + mesh.nodes().getFirst().name() + " show");
    out.println(
        "  ip netns exec "
            + mesh.nodes().getFirst().netns()
            + " ping "
            + matrix.targets().keySet().stream()
                .filter(t -> !matrix.targets().get(t).equals(mesh.nodes().getFirst().name()))
                .findFirst()
                .orElse(""));
    if (!o.stateDir().equals(LocalMesh.Options.defaults(o.home()).stateDir())) {
      out.println("  (with --state-dir " + o.stateDir() + " for `down`)");
    }
    out.println("Logs: " + o.stateDir() + "/operator.log, " + o.stateDir() + "/node-*/agent.log");
    out.println("Ctrl-C or `wiremesh-local down` stops it.");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static int down(LocalMesh.Options o, PrintStream out, PrintStream err)
      throws IOException {
    Path pidFile = o.stateDir().resolve("up.pid");
    if (Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      var handle = ProcessHandle.of(pid);
      if (handle.isPresent() && handle.get().isAlive()) {
        out.println("Stopping the local mesh (pid " + pid + ") ...");
        handle.get().destroy();
        try {
          handle.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          err.println("wiremesh-local: pid " + pid + " did not stop within 60 s: " + e);
          return 1;
        }
      }
      Files.deleteIfExists(pidFile);
    }
    // Whatever a killed `up` left behind: namespaces and bridge (its agents die with their netns'
    // processes only when killed, so stop any agent still running from this state folder too).
    new Network(o.prefix(), o.subnet()).sweep();
    out.println("The local mesh is down.");
    return 0;
  }
}
