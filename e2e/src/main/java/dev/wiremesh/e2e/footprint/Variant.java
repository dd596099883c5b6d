package dev.wiremesh.e2e.footprint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A set of memory flags to measure, named: {@code NAME=FLAGS} on the command line (FLAGS separated
 * by spaces), replacing the launcher's memory flags (the FFM flags stay). A word {@code VAR=VALUE}
 * among the flags (an upper-case name) is an environment variable for the JVM instead, e.g. {@code
 * MALLOC_ARENA_MAX=2}.
 */
record Variant(String name, List<String> flags, Map<String, String> env) {

  private static final Pattern ENV = Pattern.compile("([A-Z_][A-Z0-9_]*)=(.*)");

  Variant(String name, List<String> flags) {
    this(name, flags, Map.of());
  }

  static Variant parse(String arg, List<String> launcher) {
    int eq = arg.indexOf('=');
    if (eq < 0) {
      if (!arg.equals("launcher")) {
        throw new IllegalArgumentException(
            "a variant is NAME=FLAGS (e.g. 'trim=-XX:+UseSerialGC -XX:TrimNativeHeapInterval=2000')"
                + " or 'launcher' (the launcher's own flags), not '"
                + arg
                + "'");
      }
      return new Variant("launcher", launcher);
    }
    if (eq == 0) {
      throw new IllegalArgumentException("a variant needs a name before '=': '" + arg + "'");
    }
    String words = arg.substring(eq + 1).strip();
    List<String> flags = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    for (String w : words.isEmpty() ? new String[0] : words.split("\\s+")) {
      var m = ENV.matcher(w);
      if (m.matches()) {
        env.put(m.group(1), m.group(2));
      } else if (w.startsWith("-")) {
        flags.add(w);
      } else {
        throw new IllegalArgumentException(
            "variant "
                + arg.substring(0, eq)
                + ": '"
                + w
                + "' is neither a JVM flag nor an environment variable (NAME=VALUE)");
      }
    }
    return new Variant(arg.substring(0, eq), List.copyOf(flags), Map.copyOf(env));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(name).append(" [");
    env.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
    return b.append(String.join(" ", flags)).append(']').toString();
  }
}
