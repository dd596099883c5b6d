package dev.wiremesh.agent.encryption;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One rule of the agent's table: matches, then accept or count-and-drop. Rendered both in nft's
 * syntax (the dry description, as {@code nft list table} prints it) and as nft JSON (what is
 * installed), from this one value so the two cannot differ.
 */
record NftRule(String chain, List<Match> matches, boolean drop, String comment) {
  /** The named counter every drop rule of the table counts into. */
  static final String COUNTER = "plaintext_dropped";

  NftRule {
    matches = List.of(matches.toArray(Match[]::new));
  }

  /** A match on one packet field. */
  sealed interface Match {
    String text();

    ObjectNode json();
  }

  /** {@code iifname} or {@code oifname}, equal or not. */
  record IfName(String key, boolean equal, String name) implements Match {
    @Override
    public String text() {
      return key + (equal ? " " : " != ") + "\"" + name + "\"";
    }

    @Override
    public ObjectNode json() {
      return match(equal, meta(key), JsonNodeFactory.instance.textNode(name));
    }
  }

  /** A TCP or UDP port: {@code udp sport 51820}. */
  record Port(String protocol, String field, int port) implements Match {
    @Override
    public String text() {
      return protocol + " " + field + " " + port;
    }

    @Override
    public ObjectNode json() {
      return match(true, payload(protocol, field), JsonNodeFactory.instance.numberNode(port));
    }
  }

  /** An address field against an address or a set ({@code @protected4}): {@code ip daddr ...}. */
  record Address(String protocol, String field, String value) implements Match {
    @Override
    public String text() {
      return protocol + " " + field + " " + value;
    }

    @Override
    public ObjectNode json() {
      return match(true, payload(protocol, field), JsonNodeFactory.instance.textNode(value));
    }
  }

  String text() {
    StringBuilder b = new StringBuilder();
    for (Match m : matches) {
      b.append(m.text()).append(' ');
    }
    b.append(drop ? "counter name \"" + COUNTER + "\" drop" : "accept");
    if (comment != null) {
      b.append(" comment \"").append(comment).append('"');
    }
    return b.toString();
  }

  ObjectNode json(String table) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode rule = f.objectNode();
    rule.put("family", "inet").put("table", table).put("chain", chain);
    if (comment != null) {
      rule.put("comment", comment);
    }
    ArrayNode expr = rule.putArray("expr");
    matches.forEach(m -> expr.add(m.json()));
    if (drop) {
      expr.add(f.objectNode().put("counter", COUNTER));
      expr.add(f.objectNode().putNull("drop"));
    } else {
      expr.add(f.objectNode().putNull("accept"));
    }
    ObjectNode add = f.objectNode();
    add.putObject("add").set("rule", rule);
    return add;
  }

  private static ObjectNode match(
      boolean equal, ObjectNode left, com.fasterxml.jackson.databind.JsonNode right) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    ObjectNode body = m.putObject("match");
    body.put("op", equal ? "==" : "!=");
    body.set("left", left);
    body.set("right", right);
    return m;
  }

  private static ObjectNode meta(String key) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.putObject("meta").put("key", key);
    return n;
  }

  private static ObjectNode payload(String protocol, String field) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.putObject("payload").put("protocol", protocol).put("field", field);
    return n;
  }
}
