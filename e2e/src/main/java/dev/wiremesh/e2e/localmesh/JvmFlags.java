package dev.wiremesh.e2e.localmesh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JVM flags the node agent and the operator run with, here as in their images ({@code
 * quarkus.jib.jvm-additional-arguments} in node-agent/pom.xml and operator/pom.xml; {@code
 * JvmFlagsTest} keeps the two the same). Chosen by measuring each lever with {@code
 * e2e/bench/footprint.sh}: docs/performance.md, "Agent and operator memory".
 */
public final class JvmFlags {

  private static final String AOT_CACHE = "-XX:AOTCache=";

  /** What the agent needs to work at all: the FFM API (TUN, netlink). */
  public static final List<String> NATIVE =
      List.of("--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED");

  /**
   * The agent's memory flags: the serial collector with a heap that starts at 16 MB (by default the
   * JVM starts it at 1/64 of the node's memory, or of the container's limit: 384 MB on a 24 GB
   * machine, whose young generation alone, 128 MB, is soon all resident) and is handed back when
   * free, small thread stacks, a smaller code cache and two JIT threads (the data plane still gets
   * C2); malloc's free memory handed back every 2 s; 8-byte object headers (JEP 519); and the AOT
   * cache, used when the build made one (node-agent/pom.xml: {@code -Dwiremesh.aot.skip=false}; off
   * by default).
   */
  public static final List<String> AGENT =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms16m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-Xss512k",
          "-XX:ReservedCodeCacheSize=32m",
          "-XX:CICompilerCount=2",
          "-XX:TrimNativeHeapInterval=2000",
          "-XX:+UseCompactObjectHeaders",
          "-XX:AOTCache=app.aot");

  /** The operator's: the agent's, without an AOT cache (the operator's start-up is not urgent). */
  public static final List<String> OPERATOR = withoutAotCache(AGENT);

  private JvmFlags() {}

  /**
   * The flags without an {@code -XX:AOTCache=FILE} whose file is missing from {@code dir} (a build
   * that skipped the cache): the JVM would run without it anyway, but print errors first.
   */
  static List<String> present(List<String> flags, Path dir) {
    return flags.stream()
        .filter(
            f ->
                !f.startsWith(AOT_CACHE)
                    || Files.isRegularFile(dir.resolve(f.substring(AOT_CACHE.length()))))
        .toList();
  }

  /**
   * The flags without {@code -XX:AOTCache}: those of the images (a cache is valid only for the JVM
   * build that made it, and the images' JVM is not the build machine's) and of the training run.
   */
  public static List<String> withoutAotCache(List<String> flags) {
    return flags.stream().filter(f -> !f.startsWith(AOT_CACHE)).toList();
  }

  /** The memory flags of the app whose quarkus-run.jar this is. */
  static List<String> forJar(Path jar) {
    return jar.toString().contains("node-agent") ? AGENT : OPERATOR;
  }
}
