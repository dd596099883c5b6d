package dev.wiremesh.agent.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rule set a node's agent installs for encryption Required, as tables of inputs and rules. */
class RuleSetTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static List<IpPrefix> prefixes(String... texts) {
    return Stream.of(texts).map(IpPrefix::parse).toList();
  }

  static final List<ApiServer> API = List.of(ApiServer.parse("192.0.2.10:6443"));

  /** node-2 of a three-node mesh whose pod CIDRs are routed (the example in docs/encryption.md). */
  static RuleSet node2() {
    return RuleSet.generate(
        "wiremesh-mesh",
        "wm0",
        51820,
        9443,
        API,
        prefixes("10.100.0.3/16", "fd00:100::3/64"),
        prefixes(
            "10.100.0.2/32",
            "fd00:100::2/128",
            "10.244.1.0/24",
            "10.100.0.4/32",
            "fd00:100::4/128",
            "10.244.3.0/24"));
  }

  static final String NODE2 =
      """
      table inet wiremesh-mesh {
      \tcounter plaintext_dropped {
      \t}

      \tset protected4 {
      \t\ttype ipv4_addr
      \t\tflags interval
      \t\telements = { 10.100.0.2, 10.100.0.3, 10.100.0.4, 10.244.1.0/24, 10.244.3.0/24 }
      \t}

      \tset protected6 {
      \t\ttype ipv6_addr
      \t\tflags interval
      \t\telements = { fd00:100::2, fd00:100::3, fd00:100::4 }
      \t}

      \tchain output {
      \t\ttype filter hook output priority filter; policy accept;
      \t\toifname "wm0" accept comment "through the tunnel"
      \t\toifname "lo" accept comment "on this node"
      \t\tudp sport 51820 accept comment "WireGuard's own packets"
      \t\ttcp sport 9443 accept comment "the agent's API"
      \t\tip daddr 192.0.2.10 tcp dport 6443 accept comment "to the Kubernetes API server"
      \t\tip daddr @protected4 counter name "plaintext_dropped" drop comment "plaintext to a protected network"
      \t\tip6 daddr @protected6 counter name "plaintext_dropped" drop comment "plaintext to a protected network"
      \t}

      \tchain input {
      \t\ttype filter hook input priority filter; policy accept;
      \t\tiifname "wm0" accept comment "through the tunnel"
      \t\tiifname "lo" accept comment "on this node"
      \t\tudp dport 51820 accept comment "WireGuard's own packets"
      \t\ttcp dport 9443 accept comment "the agent's API"
      \t\tip saddr 192.0.2.10 tcp sport 6443 accept comment "from the Kubernetes API server"
      \t\tip daddr @protected4 counter name "plaintext_dropped" drop comment "plaintext to a tunnel address"
      \t\tip6 daddr @protected6 counter name "plaintext_dropped" drop comment "plaintext to a tunnel address"
      \t}

      \tchain forward {
      \t\ttype filter hook forward priority filter; policy accept;
      \t\tip daddr 192.0.2.10 tcp dport 6443 accept comment "to the Kubernetes API server"
      \t\tip saddr 192.0.2.10 tcp sport 6443 accept comment "from the Kubernetes API server"
      \t\toifname != "wm0" ip daddr @protected4 counter name "plaintext_dropped" drop comment "plaintext to a protected network"
      \t\tiifname != "wm0" ip saddr @protected4 counter name "plaintext_dropped" drop comment "plaintext from a protected network"
      \t\toifname != "wm0" ip6 daddr @protected6 counter name "plaintext_dropped" drop comment "plaintext to a protected network"
      \t\tiifname != "wm0" ip6 saddr @protected6 counter name "plaintext_dropped" drop comment "plaintext from a protected network"
      \t}
      }
      """;

  @Test
  void theRuleSetOfANodeAsDocumented() {
    assertThat(node2().describe()).isEqualTo(NODE2);
  }

  /** A member's tunnel address and routed networks in; what ends in each set. */
  static Stream<Arguments> members() {
    return Stream.of(
        Arguments.of(
            "own tunnel addresses as host prefixes",
            prefixes("10.100.0.3/16", "fd00:100::3/64"),
            prefixes(),
            List.of("10.100.0.3/32"),
            List.of("fd00:100::3/128")),
        Arguments.of(
            "peers' tunnel addresses and pod CIDRs",
            prefixes("10.100.0.3/16"),
            prefixes("10.100.0.2/32", "10.244.1.0/24", "fd00:100::2/128"),
            List.of("10.100.0.2/32", "10.100.0.3/32", "10.244.1.0/24"),
            List.of("fd00:100::2/128")),
        Arguments.of(
            "an external peer's site network holding another member's network: the larger stays",
            prefixes("10.100.0.3/16"),
            prefixes("10.244.1.0/24", "10.244.0.0/16", "10.244.2.7/32"),
            List.of("10.100.0.3/32", "10.244.0.0/16"),
            List.of()),
        Arguments.of(
            "duplicates (the gateway's entry repeats the external peers' networks) appear once",
            prefixes("10.100.0.3/16"),
            prefixes("192.168.50.0/24", "192.168.50.0/24", "10.100.0.9/32", "10.100.0.9/32"),
            List.of("10.100.0.3/32", "10.100.0.9/32", "192.168.50.0/24"),
            List.of()),
        Arguments.of(
            "host bits of an allowed IP are cleared",
            prefixes(),
            prefixes("10.244.1.7/24", "fd00:10::1/64"),
            List.of("10.244.1.0/24"),
            List.of("fd00:10::/64")),
        Arguments.of(
            "a node alone in its mesh protects its own addresses",
            prefixes("10.100.0.3/16"),
            prefixes(),
            List.of("10.100.0.3/32"),
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("members")
  void protectedSets(
      String why,
      List<IpPrefix> tunnel,
      List<IpPrefix> routed,
      List<String> expected4,
      List<String> expected6) {
    RuleSet r = RuleSet.generate("wiremesh-mesh", "wm0", 51820, 9443, API, tunnel, routed);
    assertThat(r.protected4()).map(IpPrefix::toString).as(why).isEqualTo(expected4);
    assertThat(r.protected6()).map(IpPrefix::toString).as(why).isEqualTo(expected6);
    List<IpPrefix> shuffled = new ArrayList<>(routed);
    Collections.reverse(shuffled);
    assertThat(RuleSet.generate("wiremesh-mesh", "wm0", 51820, 9443, API, tunnel, shuffled))
        .as("the order of the peers does not matter")
        .isEqualTo(r);
  }

  /** Whatever the input, every exemption is there and precedes every drop of its chain. */
  static Stream<Arguments> exemptions() {
    return Stream.of(
        Arguments.of("wm0", 51820, 9443, List.of("192.0.2.10:6443"), prefixes("10.244.1.0/24")),
        Arguments.of("wg-x.1", 1, 65535, List.of(), prefixes()),
        Arguments.of(
            "wm0",
            51821,
            9443,
            List.of("[2001:db8::10]:443", "10.244.1.5:6443"),
            prefixes("10.244.1.0/24", "0.0.0.0/0", "::/0")));
  }

  @ParameterizedTest
  @MethodSource("exemptions")
  void exemptionsAreAlwaysPresentAndComeFirst(
      String ifname, int listenPort, int agentPort, List<String> api, List<IpPrefix> routed) {
    List<ApiServer> servers = api.stream().map(ApiServer::parse).toList();
    RuleSet r =
        RuleSet.generate(
            "wiremesh-m", ifname, listenPort, agentPort, servers, prefixes("10.1.0.1/16"), routed);
    for (String chain : RuleSet.CHAINS) {
      List<String> rules =
          r.rules().stream().filter(x -> x.chain().equals(chain)).toList().stream()
              .map(NftRule::text)
              .toList();
      List<String> exempt = new ArrayList<>();
      if (chain.equals("output")) {
        exempt.add("oifname \"" + ifname + "\" accept");
        exempt.add("oifname \"lo\" accept");
        exempt.add("udp sport " + listenPort + " accept");
        exempt.add("tcp sport " + agentPort + " accept");
      } else if (chain.equals("input")) {
        exempt.add("iifname \"" + ifname + "\" accept");
        exempt.add("iifname \"lo\" accept");
        exempt.add("udp dport " + listenPort + " accept");
        exempt.add("tcp dport " + agentPort + " accept");
      }
      for (ApiServer s : servers) {
        String ip = s.isIpv4() ? "ip " : "ip6 ";
        if (!chain.equals("input")) {
          exempt.add(ip + "daddr " + s.host() + " tcp dport " + s.port() + " accept");
        }
        if (!chain.equals("output")) {
          exempt.add(ip + "saddr " + s.host() + " tcp sport " + s.port() + " accept");
        }
      }
      int firstDrop =
          rules.stream()
              .filter(t -> t.contains(" drop"))
              .map(rules::indexOf)
              .findFirst()
              .orElseThrow();
      for (String e : exempt) {
        int at = -1;
        for (int i = 0; i < rules.size(); i++) {
          if (rules.get(i).startsWith(e)) {
            at = i;
          }
        }
        assertThat(at).as(chain + ": " + e + " in " + rules).isGreaterThanOrEqualTo(0);
        assertThat(at).as(chain + ": " + e + " before the drops").isLessThan(firstDrop);
      }
      assertThat(rules).as("no duplicate rule in " + chain).doesNotHaveDuplicates();
      assertThat(rules.stream().filter(t -> t.endsWith("drop") || t.contains(" drop ")))
          .as("every drop counts")
          .allMatch(t -> t.contains("counter name \"plaintext_dropped\" drop"));
    }
  }

  /** Every command of both batches names inet and this table, and nothing else. */
  @Test
  void theBatchesTouchOnlyTheirOwnTable() throws Exception {
    for (String batch : List.of(node2().installJson(3, 252), RuleSet.removeJson("wiremesh-mesh"))) {
      JsonNode cmds = JSON.readTree(batch).get("nftables");
      assertThat(cmds.get(0).has("metainfo")).isTrue();
      for (int i = 1; i < cmds.size(); i++) {
        JsonNode c = cmds.get(i);
        String verb = c.fieldNames().next();
        assertThat(verb).as(c.toString()).isIn("add", "delete");
        JsonNode object = c.get(verb).elements().next();
        String kind = c.get(verb).fieldNames().next();
        assertThat(kind).isIn("table", "counter", "set", "chain", "rule");
        assertThat(object.get("family").asText()).isEqualTo("inet");
        assertThat(kind.equals("table") ? object.get("name") : object.get("table"))
            .as(c.toString())
            .hasToString("\"wiremesh-mesh\"");
      }
    }
    JsonNode remove = JSON.readTree(RuleSet.removeJson("wiremesh-mesh")).get("nftables");
    assertThat(remove).hasSize(3);
    assertThat(remove.get(1).has("add")).as("created if missing, so deleting never fails").isTrue();
    assertThat(remove.get(2).has("delete")).isTrue();
  }

  /**
   * Re-applying replaces: the batch creates the table if missing, deletes it with all it holds and
   * builds it again in one transaction, and carries the drop counter over.
   */
  @Test
  void theInstallBatchReplacesTheTableAndCarriesTheCounter() throws Exception {
    JsonNode cmds = JSON.readTree(node2().installJson(3, 252)).get("nftables");
    assertThat(cmds.get(1).at("/add/table/name").asText()).isEqualTo("wiremesh-mesh");
    assertThat(cmds.get(2).at("/delete/table/name").asText()).isEqualTo("wiremesh-mesh");
    assertThat(cmds.get(3).at("/add/table/name").asText()).isEqualTo("wiremesh-mesh");
    assertThat(cmds.get(4).at("/add/counter/packets").asLong()).isEqualTo(3);
    assertThat(cmds.get(4).at("/add/counter/bytes").asLong()).isEqualTo(252);
    long rules = 0;
    for (JsonNode c : cmds) {
      if (c.at("/add/rule").isObject()) {
        rules++;
      }
    }
    assertThat(rules).isEqualTo(node2().rules().size());
    assertThat(cmds.get(5).at("/add/set/elem").toString())
        .isEqualTo(
            "[\"10.100.0.2\",\"10.100.0.3\",\"10.100.0.4\",{\"prefix\":{\"addr\":\"10.244.1.0\",\"len\":24}},"
                + "{\"prefix\":{\"addr\":\"10.244.3.0\",\"len\":24}}]");
    assertThat(node2().installJson(3, 252))
        .as("a pure function")
        .isEqualTo(node2().installJson(3, 252));
  }

  @Test
  void apiServerAddresses() {
    assertThat(ApiServer.parse("192.0.2.10:6443").host()).isEqualTo("192.0.2.10");
    assertThat(ApiServer.parse("[2001:db8::10]:443").host()).isEqualTo("2001:db8::10");
    for (String bad :
        List.of(
            "192.0.2.10",
            "192.0.2.10:0",
            "192.0.2.10:70000",
            "[192.0.2.10]:443",
            "2001:db8::10:443",
            "kubernetes:443",
            "10.0.0.0/8:443",
            "")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiServer.parse(bad))
          .as(bad)
          .hasMessageContaining("is not an address and port such as 192.0.2.10:6443");
    }
  }
}
