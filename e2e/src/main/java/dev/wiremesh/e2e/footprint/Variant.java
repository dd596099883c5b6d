package dev.wiremesh.e2e.footprint;

import java.util.Arrays;
import java.util.List;

/**
 * A set of memory flags to measure, named: {@code NAME=FLAGS} on the command line (FLAGS separated
 * by spaces), replacing the launcher's memory flags (the FFM flags stay).
 */
record Variant(String name, List<String> flags) {

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
    String flags = arg.substring(eq + 1).strip();
    List<String> list = flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+"));
    for (String f : list) {
      if (!f.startsWith("-")) {
        throw new IllegalArgumentException(
            "variant " + arg.substring(0, eq) + ": '" + f + "' is not a JVM flag");
      }
    }
    return new Variant(arg.substring(0, eq), List.copyOf(list));
  }

  @Override
  public String toString() {
    return name + " [" + String.join(" ", flags) + "]";
  }
}
