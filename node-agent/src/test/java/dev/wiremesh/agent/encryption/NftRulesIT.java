package dev.wiremesh.agent.encryption;

import static dev.wiremesh.agent.Commands.in;
import static dev.wiremesh.agent.Commands.ok;
import static dev.wiremesh.agent.Commands.sh;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rule set installed by the real nft in a network namespace "node" wired to another, "peer",
 * that holds a protected address: plaintext to it is dropped and counted, the API server's address
 * and port inside the same protected network stay reachable, re-applying never duplicates a rule,
 * and Preferred removes the agent's table and nothing else. Needs root and nft.
 */
class NftRulesIT {
  static final String TAG = Long.toHexString(System.nanoTime() & 0xfffff);
  static final String NODE = "wmnn" + TAG;
  static final String PEER = "wmnp" + TAG;
  static final String TABLE = "wiremesh-it" + TAG;
  static final List<IpPrefix> OWN = List.of(IpPrefix.parse("10.77.0.1/24"));
  static final List<IpPrefix> ROUTED = List.of(IpPrefix.parse("10.78.0.0/24"));

  static Process apiServer;
  static EncryptionEnforcer enforcer;

  @BeforeAll
  static void wire() throws Exception {
    for (String ns : new String[] {NODE, PEER}) {
      sh("ip", "netns", "add", ns);
      sh("ip", "-n", ns, "link", "set", "lo", "up");
    }
    sh("ip", "-n", NODE, "link", "add", "veth0", "type", "veth", "peer", "veth1", "netns", PEER);
    sh("ip", "-n", NODE, "addr", "add", "192.0.2.1/24", "dev", "veth0");
    sh("ip", "-n", PEER, "addr", "add", "192.0.2.2/24", "dev", "veth1");
    sh("ip", "-n", NODE, "link", "set", "veth0", "up");
    sh("ip", "-n", PEER, "link", "set", "veth1", "up");
    // The peer's pod network, routed over the plain link (as a wrong route would).
    sh("ip", "-n", PEER, "addr", "add", "10.78.0.1/32", "dev", "lo");
    sh("ip", "-n", PEER, "addr", "add", "10.78.0.2/32", "dev", "lo");
    sh("ip", "-n", NODE, "route", "add", "10.78.0.0/24", "via", "192.0.2.2");
    // A table of someone else's, which the agent must never touch.
    sh(
        in(
            NODE,
            "nft",
            "add table inet other; add chain inet other c { type filter hook output priority 10; }"));
    apiServer =
        new ProcessBuilder(
                in(
                    PEER,
                    "socat",
                    "TCP-LISTEN:6443,bind=10.78.0.2,fork,reuseaddr",
                    "SYSTEM:echo api"))
            .redirectErrorStream(true)
            .start();
    enforcer =
        new EncryptionEnforcer(new NftCommand(List.of("ip", "netns", "exec", NODE, "nft")), 9443);
  }

  @AfterAll
  static void unwire() throws Exception {
    if (apiServer != null) {
      apiServer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    for (String ns : new String[] {NODE, PEER}) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
    }
  }

  static Policy policy(String mode) throws Exception {
    return Policy.parse(new EncryptionPolicy(mode, TABLE, List.of("10.78.0.2:6443")));
  }

  static boolean ping(String ip) throws Exception {
    return ok(in(NODE, "ping", "-c", "1", "-W", "1", ip));
  }

  static String apiAnswer() throws Exception {
    Process p =
        new ProcessBuilder(
                in(NODE, "socat", "-T", "3", "-", "TCP:10.78.0.2:6443,connect-timeout=3"))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  @Test
  void requiredDropsPlaintextKeepsTheApiServerAndPreferredRemovesOnlyItsTable() throws Exception {
    assertThat(ping("10.78.0.1")).as("reachable before the policy").isTrue();

    enforcer.apply(policy("Required"), "wmit0", 51820, OWN, ROUTED);
    enforcer.apply(policy("Required"), "wmit0", 51820, OWN, ROUTED);
    var status = enforcer.status();
    assertThat(status.enforced()).as(status.message()).isTrue();

    assertThat(ping("10.78.0.1")).as("plaintext to a protected network").isFalse();
    assertThat(apiAnswer()).as("the API server, inside the protected network").isEqualTo("api");
    var after = enforcer.status();
    assertThat(after.droppedPackets()).isGreaterThanOrEqualTo(1);
    assertThat(after.droppedBytes()).isGreaterThanOrEqualTo(84);

    String listed = sh(in(NODE, "nft", "list", "table", "inet", TABLE));
    assertThat(listed.replaceAll("\\t\\tpackets [0-9]+ bytes [0-9]+\\n", ""))
        .as("what nft holds is the dry description, once")
        .isEqualTo(status.rules());

    // Re-applied after a change, the table is replaced, and the counter goes on from where it was.
    enforcer.apply(
        policy("Required"),
        "wmit0",
        51820,
        OWN,
        List.of(IpPrefix.parse("10.78.0.0/24"), IpPrefix.parse("10.79.0.0/16")));
    assertThat(sh(in(NODE, "nft", "list", "table", "inet", TABLE)))
        .contains("10.79.0.0/16")
        .containsOnlyOnce("oifname \"wmit0\" accept");
    assertThat(enforcer.status().droppedPackets()).isGreaterThanOrEqualTo(after.droppedPackets());

    enforcer.apply(policy("Preferred"), "wmit0", 51820, OWN, ROUTED);
    String tables = sh(in(NODE, "nft", "list", "tables"));
    assertThat(tables).doesNotContain(TABLE).contains("table inet other");
    assertThat(ping("10.78.0.1")).as("reachable again").isTrue();
  }
}
