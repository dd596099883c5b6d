package dev.wiremesh.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of hostile JSON bodies for the agent protocol: a valid body (the corpus)
 * mutated one to three times, either as a tree (a field removed, a value of another type or out of
 * range, an element duplicated, an unknown field, strings truncated or grown) or as text (cut
 * short, a byte inserted, deleted or made invalid UTF-8, deep nesting). The same seed gives the
 * same bodies, so a failure is reproduced from the seed the test prints.
 *
 * <p>Address values (interface addresses, allowed IPs, routes) are only ever taken from {@link
 * #ADDRESSES}: the agent under test runs in the test machine's own network namespace, and a config
 * it accepts installs its routes there, so a mutation must not be able to turn an address into
 * 0.0.0.0/0 or another network the machine uses.
 */
final class HostileJson {

  /** Addresses valid in tests (inside 198.18.0.0/15 and fd00:18::/32) and invalid ones. */
  static final List<String> ADDRESSES =
      List.of(
          "198.18.80.0/24",
          "198.18.81.7/32",
          "198.18.77.2/24",
          "fd00:18::5/128",
          "fd00:18:1::/64",
          "10.0.0.0/33",
          "198.18.80.0",
          "::/129",
          "198.18.80.0/-1",
          "198.18.80.0/24 ",
          "198.18.300.0/24",
          "fd00:18::zz/64",
          "",
          "/",
          "198.18.80.0/024");

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> ADDRESS_FIELDS = Set.of("addresses", "allowedIPs", "to", "via");

  private final Random random;
  private final ObjectMapper json;
  private final List<Integer> ports;

  /**
   * @param ports listen ports the mutated configs may ask for (valid ones included)
   */
  HostileJson(long seed, ObjectMapper json, List<Integer> ports) {
    this.random = new Random(seed);
    this.json = json;
    this.ports = ports;
  }

  /** One to three tree mutations of {@code seed} (a copy). */
  JsonNode mutate(JsonNode seed) {
    JsonNode tree = seed.deepCopy();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      tree = mutateTree(tree);
    }
    return tree;
  }

  /** The body as bytes, mutated as text one time in five (then not always valid UTF-8). */
  byte[] body(JsonNode tree) {
    byte[] body = text(tree);
    return random.nextInt(5) == 0 ? mutateText(body) : body;
  }

  /** A coin that lands true with probability {@code p}, from this generator's seed. */
  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  /** The tree mutated once (never an address outside {@link #ADDRESSES}). */
  JsonNode mutateTree(JsonNode tree) {
    List<Slot> slots = new ArrayList<>();
    collect(tree, null, null, -1, slots);
    Slot s = slots.get(random.nextInt(slots.size()));
    if (s.parent == null) {
      return randomValue(null); // the whole body replaced
    }
    boolean address =
        (s.field != null && ADDRESS_FIELDS.contains(s.field))
            || (s.arrayOf != null && ADDRESS_FIELDS.contains(s.arrayOf));
    int op = random.nextInt(6);
    switch (op) {
      case 0 -> remove(s);
      case 1 -> set(s, address ? addressValue() : randomValue(s.field));
      case 2 -> {
        if (s.parent instanceof ArrayNode a) {
          a.insert(s.index, s.node().deepCopy()); // a duplicated element
        } else {
          ((ObjectNode) s.parent).set(unknownField(), randomValue(null));
        }
      }
      case 3 -> {
        if (s.node().isTextual() && !address) {
          set(s, F.textNode(mutateString(s.node().asText())));
        } else {
          set(s, address ? addressValue() : randomValue(s.field));
        }
      }
      case 4 -> set(s, address ? F.arrayNode().add(addressValue()) : wrongType(s.node()));
      default -> {
        if (s.node().isArray() && !address && s.node().size() > 0) {
          ((ArrayNode) s.node()).add(s.node().get(random.nextInt(s.node().size())).deepCopy());
        } else {
          set(s, address ? addressValue() : randomValue(s.field));
        }
      }
    }
    return tree;
  }

  private record Slot(JsonNode parent, String field, String arrayOf, int index, JsonNode root) {
    JsonNode node() {
      if (parent == null) {
        return root;
      }
      return parent instanceof ArrayNode a ? a.get(index) : parent.get(field);
    }
  }

  private void collect(JsonNode node, JsonNode parent, String field, int index, List<Slot> out) {
    String arrayOf = parent instanceof ArrayNode ? field : null;
    out.add(new Slot(parent, parent instanceof ArrayNode ? null : field, arrayOf, index, node));
    if (node.isObject()) {
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        collect(e.getValue(), node, e.getKey(), -1, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), node, field, i, out);
      }
    }
  }

  private static void remove(Slot s) {
    if (s.parent instanceof ArrayNode a) {
      a.remove(s.index);
    } else {
      ((ObjectNode) s.parent).remove(s.field);
    }
  }

  private static void set(Slot s, JsonNode value) {
    if (s.parent instanceof ArrayNode a) {
      a.set(s.index, value);
    } else {
      ((ObjectNode) s.parent).set(s.field, value);
    }
  }

  private JsonNode addressValue() {
    return F.textNode(ADDRESSES.get(random.nextInt(ADDRESSES.size())));
  }

  private JsonNode wrongType(JsonNode node) {
    return switch (random.nextInt(5)) {
      case 0 -> node.isTextual() ? F.numberNode(random.nextInt()) : F.textNode("x");
      case 1 -> F.objectNode().set("value", node.deepCopy());
      case 2 -> F.arrayNode().add(node.deepCopy());
      case 3 -> F.booleanNode(random.nextBoolean());
      default -> F.nullNode();
    };
  }

  private JsonNode randomValue(String field) {
    if ("listenPort".equals(field) && random.nextBoolean()) {
      return F.numberNode(ports.get(random.nextInt(ports.size())));
    }
    if ("action".equals(field) && random.nextBoolean()) {
      // Never "prepare": that one would start a real rotation of the agent's key.
      return F.textNode(List.of("commit", "finish", "COMMIT", "rotate", "").get(random.nextInt(5)));
    }
    return switch (random.nextInt(16)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(random.nextBoolean());
      case 2 -> F.numberNode(random.nextInt(70000) - 1000);
      case 3 -> F.numberNode(Long.MAX_VALUE);
      case 4 -> F.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
      case 5 -> F.numberNode(1e308 * (random.nextBoolean() ? 10 : 1)); // 1e309 is Infinity
      case 6 -> F.numberNode(-0.5);
      case 7 -> F.textNode("");
      case 8 -> F.textNode(randomString(1 + random.nextInt(60)));
      case 9 -> F.textNode("x".repeat(100_000));
      case 10 -> F.textNode("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\u0000");
      case 11 -> F.arrayNode();
      case 12 -> F.objectNode();
      case 13 -> nested(2 + random.nextInt(30));
      case 14 -> F.arrayNode().add(F.nullNode()).add(F.textNode("a")).add(F.numberNode(1));
      default -> F.textNode("\u202e\ud83d\ude00\t\n\"\\ '<script>");
    };
  }

  private JsonNode nested(int depth) {
    JsonNode n = F.objectNode().put("publicKey", "x");
    for (int i = 0; i < depth; i++) {
      n = random.nextBoolean() ? F.arrayNode().add(n) : F.objectNode().set("a", n);
    }
    return n;
  }

  private String unknownField() {
    return List.of("privateKey", "__proto__", "hash ", "peers\u0000", "Peers", "@type", "")
        .get(random.nextInt(7));
  }

  private String mutateString(String s) {
    if (s.isEmpty()) {
      return randomString(3);
    }
    int at = random.nextInt(s.length());
    return switch (random.nextInt(4)) {
      case 0 -> s.substring(0, at); // truncated
      case 1 -> s + randomString(1 + random.nextInt(8));
      case 2 -> s.substring(0, at) + (char) (random.nextInt(0x2FF)) + s.substring(at + 1);
      default -> s.toLowerCase(java.util.Locale.ROOT);
    };
  }

  private String randomString(int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x800)));
    }
    return b.toString();
  }

  private byte[] text(JsonNode tree) {
    try {
      return json.writeValueAsBytes(tree);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Text mutations: what a broken client or a hostile one sends rather than JSON. */
  byte[] mutateText(byte[] body) {
    int at = body.length == 0 ? 0 : random.nextInt(body.length);
    return switch (random.nextInt(8)) {
      case 0 -> java.util.Arrays.copyOf(body, at); // cut short
      case 1 -> splice(body, at, 0, new byte[] {(byte) (0x80 + random.nextInt(0x40))});
      case 2 -> splice(body, at, Math.min(1, body.length - at), new byte[0]);
      case 3 -> splice(body, at, 0, "{\"\":".getBytes(StandardCharsets.UTF_8));
      case 4 -> ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
      case 5 -> "{\"peers\":".repeat(3000).getBytes(StandardCharsets.UTF_8);
      case 6 ->
          List.of("", "null", "[]", "\"config\"", "42", "{}", "{\"peers\":null}", "\u0000")
              .get(random.nextInt(8))
              .getBytes(StandardCharsets.UTF_8);
      default -> {
        byte[] twice = java.util.Arrays.copyOf(body, body.length * 2);
        System.arraycopy(body, 0, twice, body.length, body.length);
        yield twice; // two documents
      }
    };
  }

  private static byte[] splice(byte[] b, int at, int delete, byte[] insert) {
    byte[] out = new byte[b.length - delete + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + delete, out, at + insert.length, b.length - at - delete);
    return out;
  }
}
