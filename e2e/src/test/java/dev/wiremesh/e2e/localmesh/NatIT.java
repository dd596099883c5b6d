package dev.wiremesh.e2e.localmesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local mesh's NATs ({@code wiremesh-local up --nat}) behave as the NATs they stand for, shown
 * with plain UDP (socat) and no mesh: a node behind a NAT on a bridge with three other hosts.
 * Receivers write the source address and port they see, so the tests read the NAT's mapping as a
 * peer on the internet would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int NODE = 2;

  @TempDir static Path dir;

  static Network network;
  static NatNamespace nat;
  static String hostA;
  static String hostB;
  static String hostC;
  static final List<Process> listeners = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    network = new Network("wmn", "172.30.96");
    network.create();
    hostA = network.attach(200);
    hostB = network.attach(201);
    hostC = network.attach(202);
    nat = network.attachBehindNat(NODE, true, NatKind.ENDPOINT_INDEPENDENT);
    listen(hostA, "UDP4-RECVFROM:7000,fork", dir.resolve("a.txt"));
    listen(hostB, "UDP4-RECVFROM:7000,fork", dir.resolve("b.txt"));
  }

  @AfterAll
  static void stop() {
    listeners.forEach(Process::destroyForcibly);
    if (network != null) {
      network.sweep();
    }
  }

  /** A socat receiver in {@code ns} appending "source-address source-port payload" per message. */
  static void listen(String ns, String address, Path file) throws IOException {
    Files.writeString(file, "");
    listeners.add(
        new ProcessBuilder(
                Sh.inNetns(
                    ns,
                    "socat",
                    "-u",
                    address,
                    // no colon, comma or quote: socat's address syntax would take them
                    "SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT $(cat) >> " + file))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("listeners.log").toFile()))
            .start());
  }

  /**
   * One datagram {@code payload} from {@code ns}, source port {@code from} (shared with a listener
   * there, if any), to {@code to}.
   */
  static void send(String ns, int from, String to, String payload) {
    Sh.run(
        "sh",
        "-c",
        "echo "
            + payload
            + " | ip netns exec "
            + ns
            + " socat -u - UDP4-SENDTO:"
            + to
            + ",reuseaddr,sourceport="
            + from);
  }

  /** What the receiver writing {@code file} saw {@code payload} come from: "address:port". */
  static String seenFrom(Path file, String payload) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(" ");
      if (f.length == 3 && f[2].equals(payload)) {
        return f[0] + ":" + f[1];
      }
    }
    return null;
  }

  /** Sends until the receiver writing {@code file} has the payload; where it saw it come from. */
  static String probe(int from, String host, Path file, String payload) {
    String[] seen = new String[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              send(nat.nodeNamespace(), from, host + ":7000", payload);
              seen[0] = seenFrom(file, payload);
              assertThat(seen[0])
                  .as(
                      "%s from the NATed node at %s; NAT mappings:%n%s",
                      payload, host, nat.mappings())
                  .isNotNull();
            });
    return seen[0];
  }

  static int port(String addressAndPort) {
    return Integer.parseInt(addressAndPort.substring(addressAndPort.lastIndexOf(':') + 1));
  }

  @Test
  @Order(1)
  void theNodeHoldsOnlyItsPrivateAddressAndTheOthersCannotReachIt() {
    String nodeAddresses = Sh.run("ip", "-n", nat.nodeNamespace(), "-4", "-o", "addr", "show");
    assertThat(nodeAddresses).contains(nat.privateAddress()).doesNotContain(nat.publicAddress());
    // Even a bridge host that routes the private address to the NAT gets nothing through.
    Sh.run("ip", "-n", hostC, "route", "add", nat.privateAddress(), "via", nat.publicAddress());
    long dropped = nat.unsolicitedDropped();
    Sh.Result ping =
        Sh.tryRun(Sh.inNetns(hostC, "ping", "-c", "1", "-W", "1", nat.privateAddress()));
    assertThat(ping.exit()).as(ping.output()).isNotZero();
    assertThat(nat.unsolicitedDropped()).isGreaterThan(dropped);
  }

  @Test
  @Order(2)
  void theHostReachesTheAgentPortsAsTheControlPlaneWould() throws IOException {
    Path control = dir.resolve("control.txt");
    listen(nat.nodeNamespace(), "TCP4-LISTEN:" + Kubelet.AGENT_PORT + ",reuseaddr,fork", control);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Sh.tryRun(
                  "sh",
                  "-c",
                  "echo control | socat -u - TCP4:"
                      + nat.privateAddress()
                      + ":"
                      + Kubelet.AGENT_PORT
                      + ",connect-timeout=1");
              assertThat(seenFrom(control, "control"))
                  .as("the host's connection to the agent port, not masqueraded")
                  .startsWith(network.hostAddress() + ":");
            });
  }

  @Test
  @Order(3)
  void endpointIndependentMappingShowsOnePublicPortToEveryDestination() throws IOException {
    String atA = probe(40000, network.address(200), dir.resolve("a.txt"), "eim-a");
    String atB = probe(40000, network.address(201), dir.resolve("b.txt"), "eim-b");
    assertThat(atA).as("A saw the NAT's public address").startsWith(nat.publicAddress() + ":");
    assertThat(atB).as("the same public address and port at B as at A").isEqualTo(atA);
  }

  @Test
  @Order(4)
  void onlyTheEndpointTheNodeSentToGetsInAndAFlushClosesTheHole() throws IOException {
    Path atNode = dir.resolve("node.txt");
    listen(nat.nodeNamespace(), "UDP4-RECVFROM:40001,reuseaddr,fork", atNode);
    // The node opens a mapping towards A's port 7001; A answers from there, C tries the same port.
    String[] publicPort = new String[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              send(nat.nodeNamespace(), 40001, network.address(200) + ":7001", "open");
              publicPort[0] = mappedPort(40001, network.address(200), 7001);
              assertThat(publicPort[0]).as(nat.mappings()).isNotNull();
              send(hostC, 7001, nat.publicAddress() + ":" + publicPort[0], "from-c");
              send(hostA, 7001, nat.publicAddress() + ":" + publicPort[0], "from-a");
              assertThat(seenFrom(atNode, "from-a")).isEqualTo(network.address(200) + ":7001");
            });
    long dropped = nat.unsolicitedDropped();
    assertThat(dropped).as("C's packets dropped at the NAT").isPositive();
    assertThat(seenFrom(atNode, "from-c")).as("C is not the endpoint the node sent to").isNull();

    nat.flushMappings();
    assertThat(nat.mappings()).doesNotContain("dport=7001");
    send(hostA, 7001, nat.publicAddress() + ":" + publicPort[0], "after-flush");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(nat.unsolicitedDropped())
                    .as("A's packet dropped once the mapping is gone")
                    .isGreaterThan(dropped));
    assertThat(seenFrom(atNode, "after-flush")).isNull();
  }

  @Test
  @Order(5)
  void symmetricMappingShowsANewPortPerDestinationAndBackAgain() throws IOException {
    nat.setKind(NatKind.SYMMETRIC);
    assertThat(nat.kind()).isEqualTo(NatKind.SYMMETRIC);
    String atA = probe(40002, network.address(200), dir.resolve("a.txt"), "sym-a");
    String atB = probe(40002, network.address(201), dir.resolve("b.txt"), "sym-b");
    assertThat(atA).startsWith(nat.publicAddress() + ":");
    assertThat(atB).startsWith(nat.publicAddress() + ":");
    assertThat(port(atB))
        .as("a port per destination (A saw %s, B saw %s); mappings:%n%s", atA, atB, nat.mappings())
        .isNotEqualTo(port(atA));

    // The node's mapping towards A is forgotten in a flush; A's answer then no longer gets in.
    nat.flushMappings();
    assertThat(nat.mappings()).doesNotContain("sport=40002");

    nat.setKind(NatKind.ENDPOINT_INDEPENDENT);
    String againA = probe(40003, network.address(200), dir.resolve("a.txt"), "back-a");
    String againB = probe(40003, network.address(201), dir.resolve("b.txt"), "back-b");
    assertThat(againB).as("endpoint-independent again").isEqualTo(againA);
  }

  /** The public port the NAT mapped the node's port {@code from} to, towards {@code to:toPort}. */
  static String mappedPort(int from, String to, int toPort) {
    for (String line : nat.mappings().split("\n")) {
      if (line.contains("sport=" + from + " dport=" + toPort) && line.contains("dst=" + to)) {
        // the reply tuple: src=TO dst=PUBLIC sport=TO-PORT dport=PUBLIC-PORT
        String reply = line.substring(line.indexOf("src=" + to));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("dport=(\\d+)").matcher(reply);
        return m.find() ? m.group(1) : null;
      }
    }
    return null;
  }
}
