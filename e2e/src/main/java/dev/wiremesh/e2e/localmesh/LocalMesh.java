package dev.wiremesh.e2e.localmesh;

import dev.wiremesh.api.crd.v1alpha1.MeshTopology;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A WireMesh cluster on one machine: the embedded API server, the real operator (its
 * quarkus-run.jar, talking to the API server through a kubeconfig like any client) and one real
 * node agent per node, each node a network namespace on a shared bridge. What the kubelet would do
 * for the agents ({@link Kubelet}) runs here once a second.
 *
 * <p>Needs root (namespaces, TUN) and the operator and agent built ({@code ./mvnw -B package
 * -DskipTests}).
 */
public final class LocalMesh implements AutoCloseable {

  /** Everything a local mesh is made from. */
  public record Options(
      Path home,
      Path stateDir,
      int nodes,
      String prefix,
      String subnet,
      int apiPort,
      Duration resync,
      boolean examples,
      int locations,
      String intraLocation,
      Map<String, NatKind> nat) {

    /** A full mesh, as before locations. */
    public Options(
        Path home,
        Path stateDir,
        int nodes,
        String prefix,
        String subnet,
        int apiPort,
        Duration resync,
        boolean examples) {
      this(home, stateDir, nodes, prefix, subnet, apiPort, resync, examples, 0, null, Map.of());
    }

    /**
     * The same mesh with {@code locations} locations (nodes labelled {@value #LOCATION_LABEL} =
     * zone-1, zone-2, ... in turn), {@code intraLocation} Encrypted or Direct.
     */
    public Options withLocations(int locations, String intraLocation) {
      return new Options(
          home,
          stateDir,
          nodes,
          prefix,
          subnet,
          apiPort,
          resync,
          examples,
          locations,
          intraLocation,
          nat);
    }

    /**
     * The same mesh with the nodes named in {@code nat} (node-2 ... node-N) each behind its own NAT
     * of the given kind ({@link NatNamespace}).
     */
    public Options withNat(Map<String, NatKind> nat) {
      return new Options(
          home,
          stateDir,
          nodes,
          prefix,
          subnet,
          apiPort,
          resync,
          examples,
          locations,
          intraLocation,
          nat);
    }

    public Options {
      // The apps run from their jars' folders (JavaApp): paths handed to them must be absolute.
      home = home.toAbsolutePath().normalize();
      stateDir = stateDir.toAbsolutePath().normalize();
      if (locations < 0 || locations > nodes) {
        throw new IllegalArgumentException(
            "locations must be 0 (a full mesh) to the number of nodes ("
                + nodes
                + "): "
                + locations);
      }
      if (intraLocation != null
          && !intraLocation.equals("Encrypted")
          && !intraLocation.equals("Direct")) {
        throw new IllegalArgumentException(
            "intra-location must be Encrypted or Direct: " + intraLocation);
      }
      if (intraLocation != null && locations == 0) {
        throw new IllegalArgumentException("intra-location needs locations (--locations N)");
      }
      if (nodes < 1 || nodes > 50) {
        throw new IllegalArgumentException("nodes must be 1-50: " + nodes);
      }
      if (apiPort < 0 || apiPort > 65535) {
        throw new IllegalArgumentException(
            "api port must be 0-65535 (0: any free port): " + apiPort);
      }
      if (resync.isNegative() || resync.isZero()) {
        throw new IllegalArgumentException("resync must be positive: " + resync);
      }
      nat = nat == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(nat));
      for (Map.Entry<String, NatKind> e : nat.entrySet()) {
        checkNat(e.getKey(), e.getValue(), nodes);
      }
    }

    /** Why node {@code name} cannot be behind a NAT of {@code kind} in a mesh of {@code nodes}. */
    static void checkNat(String name, NatKind kind, int nodes) {
      if (kind == null) {
        throw new IllegalArgumentException("--nat " + name + ": no NAT kind given");
      }
      if (name.equals("node-1")) {
        throw new IllegalArgumentException(
            "--nat: node-1 cannot be behind a NAT: it is the gateway and the reachable node the"
                + " NATed nodes are reflected and relayed by; NAT node-2 to node-"
                + Math.max(2, nodes));
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("node-(\\d{1,2})").matcher(name);
      if (!m.matches()
          || Integer.parseInt(m.group(1)) < 2
          || Integer.parseInt(m.group(1)) > nodes) {
        throw new IllegalArgumentException(
            "--nat: '"
                + name
                + "' is not a node of this mesh"
                + (nodes < 2
                    ? ": a mesh of 1 node has none to NAT (node-1 cannot be)"
                    : "; NAT node-2 to node-" + nodes + " (--nodes " + nodes + ")"));
      }
    }

    /** The defaults of {@code wiremesh-local up}. */
    public static Options defaults(Path home) {
      return new Options(
          home,
          Path.of("/run/wiremesh-local"),
          3,
          "wml",
          "172.29.0",
          0,
          Duration.ofSeconds(10),
          true);
    }
  }

  public static final String NAMESPACE = "wiremesh-system";

  /** The label the local mesh puts the nodes' locations in (the mesh's default location label). */
  public static final String LOCATION_LABEL = "topology.kubernetes.io/zone";

  private static final java.net.http.HttpClient METRICS_HTTP =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Options options;
  private final Network network;
  private final ApiServer api;
  private final Kubelet kubelet;
  private final JavaApp operator;
  private final Map<String, MeshNode> nodes = new TreeMap<>();
  private final Map<String, NatNamespace> nats = new TreeMap<>();
  private final List<JavaApp> replicas = new ArrayList<>();
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("local-kubelet").unstarted(r));
  private int nextIndex = 1;

  private LocalMesh(Options options) throws IOException {
    this.options = options;
    // Before anything is created: nothing to tear down when the build is missing.
    for (String jar :
        List.of(
            "operator/target/quarkus-app/quarkus-run.jar",
            "node-agent/target/quarkus-app/quarkus-run.jar")) {
      if (!Files.isRegularFile(options.home().resolve(jar))) {
        throw new IllegalStateException(
            options.home().resolve(jar)
                + " does not exist: build first with ./mvnw -B package -DskipTests in "
                + options.home());
      }
    }
    Files.createDirectories(options.stateDir());
    network = new Network(options.prefix(), options.subnet());
    network.create();
    api = new ApiServer(options.apiPort(), crdFiles(options.home()));
    api.writeKubeconfig(kubeconfig());
    client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    kubelet = new Kubelet(client(), NAMESPACE);
    operator = newOperator("operator");
  }

  private JavaApp newOperator(String name) {
    return new JavaApp(
        name,
        options.home().resolve("operator/target/quarkus-app/quarkus-run.jar"),
        Map.of(
            "KUBECONFIG",
            kubeconfig().toString(),
            "POD_NAMESPACE",
            NAMESPACE,
            "WIREMESH_RESYNC",
            options.resync().toSeconds() + "s",
            // A renewed certificate is noticed within a resync rather than 5 minutes.
            "WIREMESH_PKI_CHECK_INTERVAL",
            options.resync().toSeconds() + "s",
            // A renewed CA is trusted for three resyncs (the agents reload every resync) before
            // the certificates come from it, rather than 10 minutes.
            "WIREMESH_PKI_CA_OVERLAP",
            options.resync().multipliedBy(3).toSeconds() + "s",
            "QUARKUS_HTTP_PORT",
            "0"),
        null,
        options.stateDir().resolve(name + ".log"));
  }

  /**
   * Starts another replica of the operator (as a Deployment with two replicas would): leader
   * election on the Lease keeps it waiting while another leads. Stopped with the mesh.
   */
  public synchronized JavaApp startOperatorReplica(String name) throws IOException {
    JavaApp replica = newOperator(name);
    replicas.add(replica);
    replica.start();
    return replica;
  }

  /**
   * Kills (SIGKILL) every running replica of the operator, as a crash of the operator's only Pod
   * does: nothing is left to take over (start {@link #operator()} again for that).
   */
  public synchronized void killOperators() {
    operator.kill();
    replicas.forEach(JavaApp::kill);
  }

  /**
   * Starts the whole mesh: network, API server, operator, nodes and agents, the examples applied;
   * returns once every agent has started (use {@link #awaitUp} to wait for the tunnels).
   */
  public static LocalMesh start(Options options) throws IOException {
    LocalMesh mesh = new LocalMesh(options);
    try {
      mesh.operator.start();
      List<MeshNode> added = new ArrayList<>();
      for (int i = 0; i < options.nodes(); i++) {
        added.add(mesh.register(i == 0, options.nat().get("node-" + (i + 1))));
      }
      if (options.examples()) {
        mesh.applyExamples();
        if (options.locations() > 0) {
          mesh.useLocations();
        }
      }
      // The operator issues the agents' certificates on its first pass over a mesh.
      mesh.await(
          "the operator to issue the agents' TLS Secret",
          Duration.ofSeconds(90),
          mesh.kubelet::tlsIssued);
      mesh.loop.scheduleWithFixedDelay(mesh::syncQuietly, 0, 1, TimeUnit.SECONDS);
      mesh.await(
          "the TLS files to be written",
          Duration.ofSeconds(10),
          () -> added.stream().allMatch(n -> Files.exists(n.tlsDir().resolve("ca.crt"))));
      for (MeshNode n : added) {
        n.agent().start();
      }
      mesh.await(
          "every agent to start",
          // JVMs starting together on a small machine: longer for many nodes.
          Duration.ofSeconds(Math.max(180, 15L * options.nodes())),
          () -> added.stream().allMatch(mesh.kubelet::started));
      return mesh;
    } catch (RuntimeException | IOException e) {
      mesh.close();
      throw e;
    }
  }

  private static List<Path> crdFiles(Path home) throws IOException {
    try (Stream<Path> s = Files.list(home.resolve("crds"))) {
      return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }

  public Path kubeconfig() {
    return options.stateDir().resolve("kubeconfig");
  }

  public KubernetesClient client() {
    return api.client();
  }

  public ApiServer api() {
    return api;
  }

  public Network network() {
    return network;
  }

  public JavaApp operator() {
    return operator;
  }

  public synchronized List<MeshNode> nodes() {
    return List.copyOf(nodes.values());
  }

  public synchronized MeshNode node(String name) {
    MeshNode n = nodes.get(name);
    if (n == null) {
      throw new IllegalArgumentException("no node " + name + "; nodes: " + nodes.keySet());
    }
    return n;
  }

  /** Applies every manifest in crds/examples, as {@code kubectl apply -f crds/examples} would. */
  public void applyExamples() throws IOException {
    try (Stream<Path> s = Files.list(options.home().resolve("crds/examples"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        apply(f);
      }
    }
  }

  /** Creates or replaces every object of a manifest file. */
  public void apply(Path manifest) throws IOException {
    try (InputStream in = Files.newInputStream(manifest)) {
      for (HasMetadata o : client().load(in).items()) {
        client().resource(o).createOr(existing -> existing.update());
      }
    }
  }

  /** A new node joins: its namespace, Node and Pod objects, and its agent, started. */
  public MeshNode addNode(boolean gateway) throws IOException {
    return addNode(gateway, null);
  }

  /** The same, the new node behind its own NAT of {@code nat} (null: none). */
  public MeshNode addNode(boolean gateway, NatKind nat) throws IOException {
    MeshNode n = register(gateway, nat);
    kubelet.sync(List.of(n));
    n.agent().start();
    return n;
  }

  private synchronized MeshNode register(boolean gateway, NatKind natKind) {
    int i = nextIndex++;
    String name = "node-" + i;
    // With locations, the nodes do not forward unless their agent turns it on (leaders do).
    boolean forwarding = options.locations() == 0;
    String ns;
    String address;
    if (natKind == null) {
      ns = network.attach(i, forwarding);
      address = network.address(i);
    } else {
      NatNamespace nat = network.attachBehindNat(i, forwarding, natKind);
      nats.put(name, nat);
      ns = nat.nodeNamespace();
      address = nat.privateAddress();
    }
    Path dir = options.stateDir().resolve(name);
    JavaApp agent =
        new JavaApp(
            "agent " + name,
            options.home().resolve("node-agent/target/quarkus-app/quarkus-run.jar"),
            Map.of(
                "NODE_NAME",
                name,
                "WIREMESH_TLS_DIR",
                dir.resolve("tls").toString(),
                "WIREMESH_AGENT_STATE_DIR",
                dir.resolve("state").toString(),
                // Renewed TLS files are served within a resync rather than a minute.
                "QUARKUS_TLS_AGENT_RELOAD_PERIOD",
                options.resync().toSeconds() + "s"),
            ns,
            dir.resolve("uapi"),
            dir.resolve("agent.log"));
    MeshNode n = new MeshNode(i, name, ns, address, dir, agent);
    nodes.put(name, n);
    kubelet.register(
        n,
        gateway,
        options.locations() == 0
            ? Map.of()
            : Map.of(LOCATION_LABEL, "zone-" + ((i - 1) % options.locations() + 1)));
    return n;
  }

  /** The example mesh in topology mode Locations, as the options ask. */
  private void useLocations() {
    topology(
        MeshTopology.Mode.Locations,
        options.intraLocation() == null
            ? null
            : MeshTopology.IntraLocation.valueOf(options.intraLocation()));
  }

  /**
   * Sets the example mesh's {@code spec.topology}: {@code mode}, and with Locations {@code
   * intraLocation} (null: the default), the nodes' location labels as they are.
   */
  public void topology(MeshTopology.Mode mode, MeshTopology.IntraLocation intraLocation) {
    // The operator writes the mesh's status meanwhile: an edit on a version that just went stale
    // is refused (409), as by a real API server, and is tried again on the new one.
    for (int attempt = 1; ; attempt++) {
      try {
        client()
            .resources(WireGuardMesh.class)
            .withName("mesh")
            .edit(
                m -> {
                  MeshTopology t = new MeshTopology();
                  t.setMode(mode);
                  t.setIntraLocation(intraLocation);
                  m.getSpec().setTopology(t);
                  return m;
                });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  /** Whether the example mesh is in Locations mode with Direct inside a location, right now. */
  private boolean direct() {
    WireGuardMesh m = client().resources(WireGuardMesh.class).withName("mesh").get();
    if (m == null) {
      return "Direct".equals(options.intraLocation());
    }
    MeshTopology t = m.getSpec().effectiveTopology();
    return t.effectiveMode() == MeshTopology.Mode.Locations
        && t.effectiveIntraLocation() == MeshTopology.IntraLocation.Direct;
  }

  /** Cuts a node off the bridge (its eth0 down), as a failed link or host would be. */
  public void cutLink(String name) {
    Sh.run("ip", "-n", node(name).netns(), "link", "set", "eth0", "down");
  }

  /** Puts a node back on the bridge after {@link #cutLink}. */
  public void restoreLink(String name) {
    Sh.run("ip", "-n", node(name).netns(), "link", "set", "eth0", "up");
    Sh.run(
        "ip",
        "-n",
        node(name).netns(),
        "route",
        "replace",
        "default",
        "via",
        natOf(name).map(NatNamespace::insideAddress).orElse(network.hostAddress()));
  }

  /** The NAT in front of a node, empty when the node is on the bridge itself. */
  public synchronized Optional<NatNamespace> natOf(String nodeName) {
    node(nodeName);
    return Optional.ofNullable(nats.get(nodeName));
  }

  /**
   * The NAT's public address (on the bridge): where the other nodes see the node's packets come
   * from, while the node advertises its private one.
   */
  public String natPublicAddress(String nodeName) {
    return nat(nodeName).publicAddress();
  }

  /**
   * The NAT in front of a node forgets its mappings (conntrack flushed), as a rebooted NAT would.
   */
  public void flushNatMappings(String nodeName) {
    nat(nodeName).flushMappings();
  }

  /**
   * Replaces the NAT in front of a node by one of {@code kind} (symmetric by endpoint-independent,
   * say, and back): new translation, no mappings left from the old one.
   */
  public void setNat(String nodeName, NatKind kind) {
    nat(nodeName).setKind(kind);
  }

  private NatNamespace nat(String nodeName) {
    return natOf(nodeName)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    nodeName
                        + " is not behind a NAT; NATed nodes: "
                        + nats.keySet()
                        + " (Options.withNat, wiremesh-local up --nat)"));
  }

  /** The nftables table in a node's namespace through which {@link #refuseAgentApi} works. */
  static final String REFUSE_TABLE = "wiremesh-e2e-refuse";

  /**
   * Refuses connections to the node agent's API (its mTLS port) in the node's namespace while the
   * agent runs and its probes pass, so its Pod stays Ready: the operator's pushes and steps to it
   * fail at once (a TCP reset), as with an agent whose API is cut off by a network policy. The data
   * plane is untouched. {@link #allowAgentApi} undoes it.
   */
  public void refuseAgentApi(String name) {
    String ns = node(name).netns();
    Sh.run(Sh.inNetns(ns, "nft", "add", "table", "inet", REFUSE_TABLE));
    Sh.run(
        Sh.inNetns(
            ns,
            "nft",
            "add",
            "chain",
            "inet",
            REFUSE_TABLE,
            "input",
            "{ type filter hook input priority -10 ; }"));
    Sh.run(
        Sh.inNetns(
            ns,
            "nft",
            "add",
            "rule",
            "inet",
            REFUSE_TABLE,
            "input",
            "tcp",
            "dport",
            Integer.toString(Kubelet.AGENT_PORT),
            "reject",
            "with",
            "tcp",
            "reset"));
  }

  /** Undoes {@link #refuseAgentApi}; quiet when it was not done. */
  public void allowAgentApi(String name) {
    Sh.tryRun(Sh.inNetns(node(name).netns(), "nft", "delete", "table", "inet", REFUSE_TABLE));
  }

  /** A node leaves: its Node and Pod objects go, its agent stops and its namespace is removed. */
  public void removeNode(String name) {
    MeshNode n;
    synchronized (this) {
      n = node(name);
      nodes.remove(name);
    }
    kubelet.deregister(n);
    n.agent().stop();
    NatNamespace nat;
    synchronized (this) {
      nat = nats.remove(name);
    }
    network.detach(n.index());
    if (nat != null) {
      nat.delete();
    }
  }

  private void syncQuietly() {
    try {
      kubelet.sync(nodes());
    } catch (RuntimeException e) {
      // The API server is going away (shutdown) or briefly busy: the next round catches up.
    }
  }

  /** Whether the kubelet saw the node's agent ready (configured) at its last round. */
  public boolean ready(MeshNode n) {
    return kubelet.ready(n);
  }

  /** Asks the node's agent's probe ({@code started}, {@code live}, {@code ready}) now. */
  public boolean probe(String nodeName, String check) {
    return kubelet.probe(node(nodeName), check);
  }

  /**
   * Another host on the bridge (an external peer's machine, say): its namespace, at {@link
   * Network#address} of {@code index} (200-240); removed with the mesh.
   */
  public String attachHost(int index) {
    if (index < 200) {
      throw new IllegalArgumentException("hosts other than nodes use indexes 200-240: " + index);
    }
    return network.attach(index);
  }

  public Options options() {
    return options;
  }

  /** Whether the kubelet saw the node's agent started (its API up) at its last round. */
  public boolean started(MeshNode n) {
    return kubelet.started(n);
  }

  /** The WireGuardPeers as {@code kubectl get wgp} lists them. */
  public String peerTable() {
    CustomResourceDefinition crd =
        client()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("wireguardpeers.wiremesh.dev")
            .get();
    List<GenericKubernetesResource> peers =
        client()
            .genericKubernetesResources("wiremesh.dev/v1alpha1", "WireGuardPeer")
            .list()
            .getItems()
            .stream()
            .sorted(java.util.Comparator.comparing(r -> r.getMetadata().getName()))
            .toList();
    return PeerTable.render(crd, peers, Instant.now());
  }

  public List<WireGuardPeer> peers() {
    return client().resources(WireGuardPeer.class).list().getItems();
  }

  /**
   * The node peers' tunnel addresses (IPv4 and IPv6), each with its node's name. With the example
   * mesh in locations with Direct mode (now, not only at the start), IPv4 only: the bridge between
   * the nodes is IPv4, and Direct mode routes only the family of the nodes' own network
   * (docs/topology.md).
   */
  public Map<String, String> tunnelAddresses() {
    Map<String, String> out = new TreeMap<>();
    boolean direct = direct();
    for (WireGuardPeer p : peers()) {
      String node = p.getSpec().getNode();
      if (node == null || p.getStatus() == null || p.getStatus().getAddresses() == null) {
        continue;
      }
      p.getStatus().getAddresses().stream()
          .filter(a -> !direct || !a.contains(":"))
          .forEach(a -> out.put(a, node));
    }
    return out;
  }

  /** Every node pings every other node's tunnel addresses. */
  public PingMatrix pingMatrix() {
    Map<String, String> sources = new LinkedHashMap<>();
    nodes().forEach(n -> sources.put(n.name(), n.netns()));
    return PingMatrix.measure(sources, tunnelAddresses(), 3);
  }

  /** Whether every current node has a Ready peer with an address. */
  public boolean peersReady() {
    List<WireGuardPeer> peers = peers();
    return nodes().stream()
        .allMatch(
            n ->
                peers.stream()
                    .anyMatch(
                        p ->
                            n.name().equals(p.getSpec().getNode())
                                && p.getStatus() != null
                                && p.getStatus().getAddresses() != null
                                && p.getStatus().getConditions().stream()
                                    .anyMatch(
                                        c ->
                                            "Ready".equals(c.getType())
                                                && "True".equals(c.getStatus()))));
  }

  /**
   * Waits until every node's peer is Ready and every node reaches every other through the tunnel;
   * the last ping matrix.
   */
  public PingMatrix awaitUp(Duration timeout) {
    await("every node's peer to be Ready", timeout, this::peersReady);
    PingMatrix[] last = new PingMatrix[1];
    await(
        "every node to reach every other through the tunnel",
        timeout,
        () -> {
          last[0] = pingMatrix();
          return last[0].complete() && last[0].result().size() == expectedCells();
        });
    return last[0];
  }

  private int expectedCells() {
    int n = nodes().size();
    // Every node has one address per address family of the pools; each pings the others'.
    long families = tunnelAddresses().size() / Math.max(1, n);
    return (int) (n * (n - 1) * families);
  }

  /**
   * Polls {@code condition} every 250 ms; fails naming what it waited for, with the logs' tails.
   */
  public void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant end = Instant.now().plus(timeout);
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // the API server or an agent was briefly unavailable: try again
      }
      if (Instant.now().isAfter(end)) {
        throw new IllegalStateException(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what + diagnostics());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  private String diagnostics() {
    StringBuilder s = new StringBuilder("\n--- operator log (" + operator.log() + ") ---\n");
    s.append(operator.tail(15));
    for (MeshNode n : nodes()) {
      s.append("\n--- ")
          .append(n.name())
          .append(" agent log (")
          .append(n.agent().log())
          .append(") ---\n");
      s.append(n.agent().tail(8));
    }
    return s.toString();
  }

  /**
   * The public keys (base64) of the peers a node's agent holds right now, read from its UAPI socket
   * as {@code wg show <interface> peers} would.
   */
  public java.util.Set<String> agentPeers(String nodeName, String iface) {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    for (String line : uapiGet(nodeName, iface).split("\n")) {
      if (line.startsWith("public_key=")) {
        keys.add(
            java.util.Base64.getEncoder()
                .encodeToString(java.util.HexFormat.of().parseHex(line.substring(11))));
      }
    }
    return keys;
  }

  /**
   * What a node's agent answers {@code get=1} on its UAPI socket: the device and every peer (public
   * key, endpoint, latest handshake, ...) as {@code wg show} reads them, in the UAPI's key=value
   * lines.
   */
  public String uapiGet(String nodeName, String iface) {
    Path socket = node(nodeName).uapiDir().resolve(iface + ".sock");
    try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.connect(java.net.UnixDomainSocketAddress.of(socket));
      ch.write(
          java.nio.ByteBuffer.wrap(
              "get=1\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      return new String(readAll(ch), java.nio.charset.StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + socket + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(java.nio.channels.SocketChannel ch) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    var buf = java.nio.ByteBuffer.allocate(8192);
    while (true) {
      buf.clear();
      int n = ch.read(buf);
      if (n < 0) {
        return out.toByteArray();
      }
      out.write(buf.array(), 0, n);
      String s = out.toString(java.nio.charset.StandardCharsets.US_ASCII);
      if (s.endsWith("\n\n")) {
        return out.toByteArray();
      }
    }
  }

  /** A value of the node agent's Prometheus metrics (management port), 0 when absent. */
  public double agentMetric(String nodeName, String metric) {
    MeshNode n = node(nodeName);
    try {
      String body =
          METRICS_HTTP
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://"
                                  + n.address()
                                  + ":"
                                  + Kubelet.MANAGEMENT_PORT
                                  + "/q/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return 0;
    } catch (IOException e) {
      throw new IllegalStateException("no metrics from " + nodeName + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops everything and removes the namespaces and the bridge. */
  @Override
  public void close() {
    loop.shutdownNow();
    for (MeshNode n : nodes()) {
      n.agent().stop();
    }
    operator.stop();
    replicas.forEach(JavaApp::stop);
    api.close();
    network.sweep();
  }
}
