package dev.wiremesh.agent.encryption;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wiremesh.agent.encryption.NftRule.Address;
import dev.wiremesh.agent.encryption.NftRule.IfName;
import dev.wiremesh.agent.encryption.NftRule.Port;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The rules of a node's own table for encryption Required: a pure function of the applied config
 * (docs/encryption.md shows the result). In each of the chains output, input and forward (hooked at
 * filter priority, policy accept, so they only ever drop), in this order:
 *
 * <ol>
 *   <li>exempt, always: packets through the WireGuard interface (and loopback), WireGuard's own UDP
 *       (the listen port), the agent's API (its TCP port), and the Kubernetes API server's
 *       addresses and ports — so that no policy can cut a node off its cluster;
 *   <li>count and drop: output — to a protected network; input — to a protected address (this
 *       node's tunnel addresses), not through the tunnel; forward — to or from a protected network
 *       on another interface than the tunnel.
 * </ol>
 *
 * The protected networks are this node's tunnel addresses (as host prefixes) and every peer's
 * allowed IPs: what the mesh routes. Networks inside another are dropped from the sets (nft refuses
 * overlapping intervals), and the sets are sorted, so equal inputs give equal rule sets.
 */
public record RuleSet(
    String table, List<IpPrefix> protected4, List<IpPrefix> protected6, List<NftRule> rules) {
  static final String SET4 = "protected4";
  static final String SET6 = "protected6";
  static final List<String> CHAINS = List.of("output", "input", "forward");

  private static final ObjectMapper JSON = new ObjectMapper();

  public RuleSet {
    protected4 = List.copyOf(protected4);
    protected6 = List.copyOf(protected6);
    rules = List.copyOf(rules);
  }

  /**
   * The rule set for one node.
   *
   * @param table the agent's own table
   * @param interfaceName the WireGuard interface
   * @param listenPort WireGuard's UDP port
   * @param agentPort the agent API's TCP port
   * @param apiServers the Kubernetes API server's addresses
   * @param tunnelAddresses this node's interface addresses (their host part is protected)
   * @param routed every peer's allowed IPs
   */
  public static RuleSet generate(
      String table,
      String interfaceName,
      int listenPort,
      int agentPort,
      List<ApiServer> apiServers,
      Collection<IpPrefix> tunnelAddresses,
      Collection<IpPrefix> routed) {
    List<IpPrefix> all = new ArrayList<>();
    for (IpPrefix a : tunnelAddresses) {
      all.add(new IpPrefix(a.address(), a.address().length * 8));
    }
    for (IpPrefix r : routed) {
      all.add(r.masked());
    }
    List<IpPrefix> v4 = collapse(all.stream().filter(IpPrefix::isIpv4).toList());
    List<IpPrefix> v6 = collapse(all.stream().filter(p -> !p.isIpv4()).toList());

    List<NftRule> rules = new ArrayList<>();
    for (String chain : CHAINS) {
      boolean out = chain.equals("output");
      boolean in = chain.equals("input");
      if (!chain.equals("forward")) {
        String dev = out ? "oifname" : "iifname";
        String portField = out ? "sport" : "dport";
        rules.add(accept(chain, "through the tunnel", new IfName(dev, true, interfaceName)));
        rules.add(accept(chain, "on this node", new IfName(dev, true, "lo")));
        rules.add(accept(chain, "WireGuard's own packets", new Port("udp", portField, listenPort)));
        rules.add(accept(chain, "the agent's API", new Port("tcp", portField, agentPort)));
      }
      for (ApiServer s : apiServers) {
        String ip = s.isIpv4() ? "ip" : "ip6";
        if (!in) {
          rules.add(
              accept(
                  chain,
                  "to the Kubernetes API server",
                  new Address(ip, "daddr", s.host()),
                  new Port("tcp", "dport", s.port())));
        }
        if (!out) {
          rules.add(
              accept(
                  chain,
                  "from the Kubernetes API server",
                  new Address(ip, "saddr", s.host()),
                  new Port("tcp", "sport", s.port())));
        }
      }
      if (out) {
        rules.add(drop(chain, "plaintext to a protected network", "ip", "daddr", SET4));
        rules.add(drop(chain, "plaintext to a protected network", "ip6", "daddr", SET6));
      } else if (in) {
        rules.add(drop(chain, "plaintext to a tunnel address", "ip", "daddr", SET4));
        rules.add(drop(chain, "plaintext to a tunnel address", "ip6", "daddr", SET6));
      } else {
        for (String[] f : new String[][] {{"ip", SET4}, {"ip6", SET6}}) {
          rules.add(
              new NftRule(
                  chain,
                  List.of(
                      new IfName("oifname", false, interfaceName),
                      new Address(f[0], "daddr", "@" + f[1])),
                  true,
                  "plaintext to a protected network"));
          rules.add(
              new NftRule(
                  chain,
                  List.of(
                      new IfName("iifname", false, interfaceName),
                      new Address(f[0], "saddr", "@" + f[1])),
                  true,
                  "plaintext from a protected network"));
        }
      }
    }
    return new RuleSet(table, v4, v6, rules);
  }

  private static NftRule accept(String chain, String comment, NftRule.Match... matches) {
    return new NftRule(chain, Arrays.asList(matches), false, comment);
  }

  private static NftRule drop(
      String chain, String comment, String protocol, String field, String set) {
    return new NftRule(chain, List.of(new Address(protocol, field, "@" + set)), true, comment);
  }

  /** Sorted, without duplicates and without a network that lies inside another of the list. */
  static List<IpPrefix> collapse(List<IpPrefix> networks) {
    List<IpPrefix> sorted = new ArrayList<>(networks);
    sorted.sort(
        Comparator.comparing((IpPrefix p) -> p.address(), Arrays::compareUnsigned)
            .thenComparingInt(IpPrefix::length));
    List<IpPrefix> out = new ArrayList<>();
    for (IpPrefix p : sorted) {
      IpPrefix last = out.isEmpty() ? null : out.getLast();
      if (last != null && last.length() <= p.length() && last.contains(p.address())) {
        continue; // inside the previous one (or equal to it)
      }
      out.add(p);
    }
    return out;
  }

  /** The table in nft's syntax, as {@code nft list table inet <table>} prints it. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("table inet ").append(table).append(" {\n");
    b.append("\tcounter ").append(NftRule.COUNTER).append(" {\n\t}\n\n");
    set(b, SET4, "ipv4_addr", protected4);
    set(b, SET6, "ipv6_addr", protected6);
    for (String chain : CHAINS) {
      b.append("\tchain ").append(chain).append(" {\n");
      b.append("\t\ttype filter hook ").append(chain).append(" priority filter; policy accept;\n");
      for (NftRule r : rules) {
        if (r.chain().equals(chain)) {
          b.append("\t\t").append(r.text()).append('\n');
        }
      }
      b.append("\t}\n");
      if (!chain.equals(CHAINS.getLast())) {
        b.append('\n');
      }
    }
    return b.append("}\n").toString();
  }

  private static void set(StringBuilder b, String name, String type, List<IpPrefix> elements) {
    b.append("\tset ").append(name).append(" {\n");
    b.append("\t\ttype ").append(type).append("\n\t\tflags interval\n");
    if (!elements.isEmpty()) {
      b.append("\t\telements = { ")
          .append(String.join(", ", elements.stream().map(RuleSet::element).toList()))
          .append(" }\n");
    }
    b.append("\t}\n\n");
  }

  /** A host prefix as its address alone, as nft prints it. */
  private static String element(IpPrefix p) {
    String s = p.toString();
    return p.length() == p.address().length * 8 ? s.substring(0, s.indexOf('/')) : s;
  }

  /**
   * The batch that makes the table exactly this rule set, as one transaction: the table is created
   * if missing, deleted with everything in it, and created again — so re-applying never duplicates
   * a rule and never leaves an old one, and at no moment is the node without the rules. The drop
   * counter starts at the given values (the agent carries over the old table's).
   */
  public String installJson(long packets, long bytes) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = batch();
    ArrayNode cmds = (ArrayNode) root.get("nftables");
    cmds.add(command("add", "table", tableNode()));
    cmds.add(command("delete", "table", tableNode()));
    cmds.add(command("add", "table", tableNode()));
    ObjectNode counter = named(NftRule.COUNTER);
    counter.put("packets", packets).put("bytes", bytes);
    cmds.add(command("add", "counter", counter));
    for (String[] s : new String[][] {{SET4, "ipv4_addr"}, {SET6, "ipv6_addr"}}) {
      ObjectNode set = named(s[0]);
      set.put("type", s[1]);
      set.putArray("flags").add("interval");
      List<IpPrefix> elements = s[0].equals(SET4) ? protected4 : protected6;
      if (!elements.isEmpty()) {
        ArrayNode elem = set.putArray("elem");
        for (IpPrefix p : elements) {
          if (p.length() == p.address().length * 8) {
            elem.add(element(p));
          } else {
            String t = p.toString();
            ObjectNode prefix = f.objectNode();
            prefix
                .putObject("prefix")
                .put("addr", t.substring(0, t.indexOf('/')))
                .put("len", p.length());
            elem.add(prefix);
          }
        }
      }
      cmds.add(command("add", "set", set));
    }
    for (String chain : CHAINS) {
      ObjectNode c = named(chain);
      c.put("type", "filter").put("hook", chain).put("prio", 0).put("policy", "accept");
      cmds.add(command("add", "chain", c));
    }
    rules.forEach(r -> cmds.add(r.json(table)));
    return write(root);
  }

  /** The batch that removes {@code table} if it exists, and touches nothing else. */
  public static String removeJson(String table) {
    ObjectNode root = batch();
    ArrayNode cmds = (ArrayNode) root.get("nftables");
    ObjectNode t = JsonNodeFactory.instance.objectNode().put("family", "inet").put("name", table);
    cmds.add(command("add", "table", t));
    cmds.add(command("delete", "table", t.deepCopy()));
    return write(root);
  }

  private ObjectNode tableNode() {
    return JsonNodeFactory.instance.objectNode().put("family", "inet").put("name", table);
  }

  private ObjectNode named(String name) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("family", "inet")
        .put("table", table)
        .put("name", name);
  }

  private static ObjectNode batch() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putArray("nftables").addObject().putObject("metainfo").put("json_schema_version", 1);
    return root;
  }

  private static ObjectNode command(String verb, String kind, ObjectNode body) {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.putObject(verb).set(kind, body);
    return c;
  }

  private static String write(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
