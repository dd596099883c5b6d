package dev.wiremesh.e2e.footprint;

import dev.wiremesh.e2e.localmesh.JavaApp;
import dev.wiremesh.e2e.localmesh.JvmFlags;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.MeshNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * {@code e2e/bench/footprint.sh}: starts a local mesh of N nodes, waits until every tunnel is up,
 * then, round after round, measures each agent variant (a set of JVM memory flags) on its share of
 * the agents side by side, and each operator variant in turn:
 *
 * <ol>
 *   <li>with more than one agent variant, agent i runs variant (i + round) mod V, every agent
 *       restarted from its persisted state (so each variant runs on different nodes in each round);
 *   <li>after IDLE seconds without a change: every agent's and the operator's resident memory;
 *   <li>one agent per variant restarted: the time from its start to its readiness probe answering
 *       (it is ready once it has restored its persisted configuration).
 * </ol>
 *
 * With {@code --external-peers N}, N external peers (WireGuardPeers with a public key of their own,
 * as a site or a laptop joins) are added before the first round; they all attach to the gateway
 * (node-1), whose agent is then reported on its own.
 *
 * <p>Prints one line per sample and a summary (medians). Figures only: nothing is asserted.
 */
public final class Footprint {

  static final String USAGE =
      """
      usage: footprint [--nodes N] [--rounds R] [--idle SECONDS] [--state-dir DIR]
                       [--agent NAME=FLAGS]... [--operator NAME=FLAGS]... [--external-peers N]
        --nodes N        nodes of the local mesh, 1-50 (default 3)
        --rounds R       rounds of measurement (default 3)
        --idle SECONDS   time without a change before memory is read (default 30)
        --agent V        an agent variant: NAME=FLAGS (JVM flags separated by spaces, replacing the
                         launcher's memory flags; a word VAR=VALUE is an environment variable, e.g.
                         MALLOC_ARENA_MAX=2) or 'launcher'; repeat to compare (default: launcher)
        --operator V     an operator variant, the same way
        --external-peers N  add N external peers (random public keys), which all attach to the
                         gateway node-1: its agent then holds N + nodes - 1 peers and is reported
                         on its own (default 0)
        --state-dir DIR  logs and the nodes' state; node-N folders of an earlier run are removed
                         first (default /run/wiremesh-footprint)
      Needs root and a build (./mvnw -B package -DskipTests); uses the local mesh's namespaces and
      bridge, so run it under flock /tmp/wiremesh-netns.lock, with no local mesh running.
      """;

  private final PrintStream out;
  private final List<Variant> agentVariants;
  private final List<Variant> operatorVariants;
  private final int externalPeers;
  private final Map<String, Samples> samples = new LinkedHashMap<>();

  private Footprint(
      PrintStream out, List<Variant> agents, List<Variant> operators, int externalPeers) {
    this.out = out;
    this.agentVariants = agents;
    this.operatorVariants = operators;
    this.externalPeers = externalPeers;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path home = Path.of(System.getProperty("wiremesh.home", ".")).toAbsolutePath().normalize();
    int nodes = 3;
    int rounds = 3;
    int idle = 30;
    int external = 0;
    Path state = Path.of("/run/wiremesh-footprint");
    List<Variant> agents = new ArrayList<>();
    List<Variant> operators = new ArrayList<>();
    Deque<String> a = new ArrayDeque<>(List.of(args));
    try {
      while (!a.isEmpty()) {
        String opt = a.pollFirst();
        switch (opt) {
          case "--nodes" -> nodes = number(opt, a);
          case "--rounds" -> rounds = number(opt, a);
          case "--idle" -> idle = number(opt, a);
          case "--external-peers" -> external = number(opt, a);
          case "--state-dir" -> state = Path.of(value(opt, a));
          case "--agent" -> agents.add(Variant.parse(value(opt, a), JvmFlags.AGENT));
          case "--operator" -> operators.add(Variant.parse(value(opt, a), JvmFlags.OPERATOR));
          case "-h", "--help" -> {
            out.print(USAGE);
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown option '" + opt + "'");
        }
      }
      if (rounds < 1 || idle < 0) {
        throw new IllegalArgumentException("--rounds must be at least 1 and --idle at least 0");
      }
      if (external < 0 || external > MAX_EXTERNAL_PEERS) {
        throw new IllegalArgumentException(
            "--external-peers must be 0 to " + MAX_EXTERNAL_PEERS + ", not " + external);
      }
      if (agents.size() > nodes) {
        throw new IllegalArgumentException(
            agents.size() + " agent variants need at least as many nodes, not " + nodes);
      }
    } catch (IllegalArgumentException e) {
      err.println("footprint: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (agents.isEmpty()) {
      agents.add(new Variant("launcher", JvmFlags.AGENT));
    }
    if (operators.isEmpty()) {
      operators.add(new Variant("launcher", JvmFlags.OPERATOR));
    }
    LocalMesh.Options o =
        new LocalMesh.Options(
            home, state, nodes, "wml", "172.29.0", 0, Duration.ofSeconds(10), true);
    try {
      new Footprint(out, agents, operators, external).measure(o, rounds, Duration.ofSeconds(idle));
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("footprint: " + e.getMessage());
      return 1;
    }
  }

  private void measure(LocalMesh.Options o, int rounds, Duration idle) throws IOException {
    out.printf("nodes %d, rounds %d, idle %d s%n", o.nodes(), rounds, idle.toSeconds());
    agentVariants.forEach(v -> out.println("agent variant    " + v));
    operatorVariants.forEach(v -> out.println("operator variant " + v));
    // The nodes' state of an earlier run (other keys, another mesh) would be restored: it goes.
    if (Files.isDirectory(o.stateDir())) {
      try (Stream<Path> old = Files.list(o.stateDir())) {
        for (Path node :
            old.filter(p -> p.getFileName().toString().matches("node-\\d+")).toList()) {
          deleteRecursively(node);
        }
      }
    }
    long t0 = System.nanoTime();
    try (LocalMesh mesh = LocalMesh.start(o)) {
      mesh.awaitUp(Duration.ofSeconds(600));
      out.printf("mesh up (every tunnel, ping matrix complete) after %.1f s%n", seconds(t0));
      if (externalPeers > 0) {
        long t1 = System.nanoTime();
        ExternalPeers.add(mesh, externalPeers);
        out.printf(
            "%s holds %d peers (%d external) %.1f s after they were added%n",
            GATEWAY, externalPeers + o.nodes() - 1, externalPeers, seconds(t1));
      }
      for (int round = 1; round <= rounds; round++) {
        if (agentVariants.size() > 1 || round == 1 && !launcher(agentVariants, JvmFlags.AGENT)) {
          restartAll(mesh, round);
        }
        for (Variant op : operatorVariants) {
          if (operatorVariants.size() > 1
              || round == 1 && !launcher(operatorVariants, JvmFlags.OPERATOR)) {
            mesh.operator().stop();
            mesh.operator().useMemoryFlags(op.flags(), op.env());
            mesh.operator().start();
          }
          mesh.await("every node's peer Ready", Duration.ofSeconds(300), mesh::peersReady);
          sleep(idle);
          sampleMemory(mesh, round, op);
        }
        for (int v = 0; v < agentVariants.size(); v++) {
          startToReady(mesh, round, v);
        }
      }
    }
    out.println();
    out.println("summary (medians over the rounds; RSS in MB, start to Ready in ms):");
    samples.forEach((k, s) -> out.println("  " + k + ": " + s.summary()));
  }

  /** The node that external peers attach to: the local mesh labels node-1 as the gateway. */
  static final String GATEWAY = "node-1";

  static final int MAX_EXTERNAL_PEERS = 5000;

  /**
   * Whether the one variant is the launcher's own flags, those the mesh started with: any other
   * set, even alone, needs a restart before it is measured.
   */
  private static boolean launcher(List<Variant> variants, List<String> flags) {
    return variants.size() == 1
        && variants.getFirst().flags().equals(flags)
        && variants.getFirst().env().isEmpty();
  }

  /** Every agent restarted with its variant of this round, in parallel; back when all are ready. */
  private void restartAll(LocalMesh mesh, int round) {
    List<MeshNode> nodes = mesh.nodes();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (MeshNode n : nodes) {
        pool.submit(
            () -> {
              n.agent().stop();
              n.agent().useMemoryFlags(variantOf(n, round).flags(), variantOf(n, round).env());
              n.agent().start();
              return null;
            });
      }
    }
    mesh.await(
        "every agent ready after the restart",
        Duration.ofSeconds(300),
        () -> nodes.stream().allMatch(n -> mesh.probe(n.name(), "ready")));
  }

  private Variant variantOf(MeshNode n, int round) {
    return agentVariants.get((n.index() + round) % agentVariants.size());
  }

  private void sampleMemory(LocalMesh mesh, int round, Variant operatorVariant) {
    if (operatorVariants.size() == 1 || operatorVariant == operatorVariants.getFirst()) {
      for (Variant v : agentVariants) {
        List<MeshNode> nodes =
            mesh.nodes().stream()
                .filter(n -> agentVariants.size() == 1 || variantOf(n, round) == v)
                .toList();
        if (externalPeers > 0) {
          for (MeshNode g : nodes.stream().filter(n -> n.name().equals(GATEWAY)).toList()) {
            Rss r = Rss.of(g.agent().pid());
            String peers = (externalPeers + mesh.nodes().size() - 1) + " peers";
            out.printf(
                "round %d agent %s on %s (%s): RSS %.1f MB (anon %.1f)%n",
                round, v.name(), GATEWAY, peers, r.totalKb() / 1024.0, r.anonKb() / 1024.0);
            series("agent " + v.name() + " with " + peers + " RSS").add(r.totalKb() / 1024.0);
          }
          nodes = nodes.stream().filter(n -> !n.name().equals(GATEWAY)).toList();
          if (nodes.isEmpty()) {
            continue;
          }
        }
        List<Rss> rss = nodes.stream().map(n -> Rss.of(n.agent().pid())).toList();
        out.printf(
            "round %d agent %s: RSS MB %s (anon median %.1f, USS median %.1f)%n",
            round,
            v.name(),
            mb(rss.stream().map(Rss::totalKb).toList()),
            median(rss, Rss::anonKb),
            median(rss, Rss::ussKb));
        rss.forEach(r -> series("agent " + v.name() + " RSS").add(r.totalKb() / 1024.0));
        rss.forEach(r -> series("agent " + v.name() + " anon").add(r.anonKb() / 1024.0));
        rss.forEach(r -> series("agent " + v.name() + " USS").add(r.ussKb() / 1024.0));
      }
    }
    Rss op = Rss.of(mesh.operator().pid());
    out.printf(
        "round %d operator %s: RSS %.1f MB (anon %.1f, file %.1f, USS %.1f)%n",
        round,
        operatorVariant.name(),
        op.totalKb() / 1024.0,
        op.anonKb() / 1024.0,
        op.fileKb() / 1024.0,
        op.ussKb() / 1024.0);
    series("operator " + operatorVariant.name() + " RSS").add(op.totalKb() / 1024.0);
    series("operator " + operatorVariant.name() + " USS").add(op.ussKb() / 1024.0);
  }

  /**
   * One agent of variant v stopped and started: milliseconds until its readiness probe says yes.
   */
  private void startToReady(LocalMesh mesh, int round, int v) throws IOException {
    Variant variant = agentVariants.get(v);
    // The gateway's start with external peers is not the same measurement: another node if any.
    MeshNode n =
        mesh.nodes().stream()
            .filter(x -> agentVariants.size() == 1 || variantOf(x, round) == variant)
            .sorted(Comparator.comparing(x -> externalPeers > 0 && x.name().equals(GATEWAY)))
            .findFirst()
            .orElseThrow();
    JavaApp agent = n.agent();
    agent.stop();
    agent.useMemoryFlags(variant.flags(), variant.env());
    long t0 = System.nanoTime();
    agent.start();
    mesh.await(
        n.name() + "'s agent ready after its restart",
        Duration.ofSeconds(120),
        () -> mesh.probe(n.name(), "ready"));
    double ms = (System.nanoTime() - t0) / 1e6;
    out.printf(
        "round %d agent %s start to Ready (%s): %.0f ms%n", round, variant.name(), n.name(), ms);
    series("agent " + variant.name() + " start to Ready").add(ms);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private Samples series(String name) {
    return samples.computeIfAbsent(name, k -> new Samples());
  }

  private static String mb(List<Long> kb) {
    List<Double> sorted = kb.stream().map(k -> k / 1024.0).sorted().toList();
    return String.format(
        "median %.1f, max %.1f, min %.1f (%d agents)",
        Samples.median(sorted), sorted.getLast(), sorted.getFirst(), sorted.size());
  }

  private static double median(List<Rss> rss, ToLongFunction<Rss> kb) {
    return Samples.median(rss.stream().map(r -> kb.applyAsLong(r) / 1024.0).sorted().toList());
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String value(String opt, Deque<String> a) {
    String v = a.pollFirst();
    if (v == null) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return v;
  }

  private static int number(String opt, Deque<String> a) {
    String v = value(opt, a);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " must be a whole number, not '" + v + "'");
    }
  }

  /** The values of one measured series. */
  static final class Samples {
    private final List<Double> values = new ArrayList<>();

    void add(double v) {
      values.add(v);
    }

    String summary() {
      List<Double> sorted = values.stream().sorted().toList();
      return String.format(
          "median %.1f, max %.1f, min %.1f (%d samples)",
          median(sorted), sorted.getLast(), sorted.getFirst(), sorted.size());
    }

    static double median(List<Double> sorted) {
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
  }
}
