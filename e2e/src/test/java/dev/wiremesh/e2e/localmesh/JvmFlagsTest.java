package dev.wiremesh.e2e.localmesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's and the operator's JVM flags: a JVM 25 takes them, and the images run with the same
 * ones as the local mesh (the Jib profiles of node-agent/pom.xml and operator/pom.xml).
 */
class JvmFlagsTest {

  static final Path ROOT = Path.of(System.getProperty("wiremesh.root", "..")).normalize();

  @Test
  void aJvmStartsWithTheAgentsAndTheOperatorsFlags() throws Exception {
    for (List<String> flags : List.of(JvmFlags.AGENT, JvmFlags.OPERATOR)) {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElseThrow());
      cmd.addAll(JvmFlags.NATIVE);
      // The AOT cache is made at package time, which a unit test does not wait for.
      cmd.addAll(JvmFlags.present(flags, Path.of("/nonexistent")));
      cmd.add("-version");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("%s:%n%s", cmd, out).isZero();
      assertThat(out).as("%s", cmd).doesNotContainIgnoringCase("warning").contains("version \"");
    }
  }

  @Test
  void theImagesAndTheAotTrainingRunWithTheLocalMeshsFlags() throws Exception {
    List<String> agent = concat(JvmFlags.NATIVE, JvmFlags.withoutAotCache(JvmFlags.AGENT));
    assertThat(pomProperty("node-agent/pom.xml", "quarkus.jib.jvm-additional-arguments").split(","))
        .containsExactlyElementsOf(agent);
    assertThat(pomProperty("node-agent/pom.xml", "wiremesh.agent.jvm-flags").split("\\s+"))
        .as("the AOT cache's training run: a cache made with other flags is refused")
        .containsExactlyElementsOf(agent);
    assertThat(pomProperty("operator/pom.xml", "quarkus.jib.jvm-additional-arguments").split(","))
        .containsExactlyElementsOf(JvmFlags.OPERATOR);
    assertThat(JvmFlags.AGENT).contains("-XX:AOTCache=app.aot");
  }

  @Test
  void anAotCacheFlagIsDroppedWhenItsFileIsMissing(@TempDir Path dir) throws Exception {
    List<String> flags = List.of("-XX:+UseSerialGC", "-XX:AOTCache=app.aot");
    assertThat(JvmFlags.present(flags, dir)).containsExactly("-XX:+UseSerialGC");
    Files.writeString(dir.resolve("app.aot"), "");
    assertThat(JvmFlags.present(flags, dir)).isEqualTo(flags);
  }

  private static String pomProperty(String pom, String name) throws Exception {
    Matcher m =
        Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">")
            .matcher(Files.readString(ROOT.resolve(pom)));
    assertThat(m.find()).as("%s sets %s", pom, name).isTrue();
    return m.group(1).strip();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
