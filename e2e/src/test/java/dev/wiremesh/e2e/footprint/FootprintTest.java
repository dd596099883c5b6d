package dev.wiremesh.e2e.footprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FootprintTest {

  @Test
  void variantsAreNamedFlagSets() {
    assertThat(Variant.parse("trim=-XX:+UseSerialGC  -XX:TrimNativeHeapInterval=2000", List.of()))
        .isEqualTo(
            new Variant("trim", List.of("-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=2000")));
    assertThat(Variant.parse("launcher", List.of("-Xss512k")))
        .isEqualTo(new Variant("launcher", List.of("-Xss512k")));
    assertThat(Variant.parse("none=", List.of()).flags()).isEmpty();
    assertThatThrownBy(() -> Variant.parse("-XX:+UseSerialGC", List.of()))
        .hasMessageContaining("a variant is NAME=FLAGS");
    assertThat(Variant.parse("arenas=MALLOC_ARENA_MAX=2 -Xms16m", List.of()))
        .isEqualTo(new Variant("arenas", List.of("-Xms16m"), Map.of("MALLOC_ARENA_MAX", "2")));
    assertThatThrownBy(() -> Variant.parse("x=UseSerialGC", List.of()))
        .hasMessageContaining(
            "variant x: 'UseSerialGC' is neither a JVM flag nor an environment variable");
    assertThatThrownBy(() -> Variant.parse("=-Xss1m", List.of()))
        .hasMessageContaining("needs a name");
  }

  @Test
  void wrongArgumentsAreUsageErrorsAndNothingStarts() {
    assertThat(run("--nodes", "x")).contains("--nodes must be a whole number, not 'x'");
    assertThat(run("--rounds", "0")).contains("--rounds must be at least 1");
    assertThat(run("--nodes", "1", "--agent", "a=-Xss1m", "--agent", "b=-Xss2m"))
        .contains("2 agent variants need at least as many nodes, not 1");
    assertThat(run("--external-peers", "-1"))
        .contains("--external-peers must be 0 to 5000, not -1");
    assertThat(run("--frobnicate")).contains("unknown option '--frobnicate'").contains("usage:");
  }

  @Test
  void mediansOfOddAndEvenCounts() {
    assertThat(Footprint.Samples.median(List.of(1.0, 2.0, 9.0))).isEqualTo(2.0);
    assertThat(Footprint.Samples.median(List.of(1.0, 2.0, 4.0, 9.0))).isEqualTo(3.0);
  }

  private static String run(String... args) {
    var err = new ByteArrayOutputStream();
    int rc =
        Footprint.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertThat(rc).isEqualTo(2);
    return err.toString();
  }
}
