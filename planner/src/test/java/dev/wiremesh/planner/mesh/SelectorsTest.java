package dev.wiremesh.planner.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorsTest {

  static LabelSelector expr(String key, String op, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(op)
        .withValues(values)
        .endMatchExpression()
        .build();
  }

  static Stream<Arguments> table() {
    Map<String, String> gw = Map.of("role", "gateway", "zone", "a");
    return Stream.of(
        Arguments.of("null selects all", null, gw, true),
        Arguments.of("empty selects all", new LabelSelector(), Map.of(), true),
        Arguments.of(
            "matchLabels hit",
            new LabelSelectorBuilder().addToMatchLabels("role", "gateway").build(),
            gw,
            true),
        Arguments.of(
            "matchLabels miss",
            new LabelSelectorBuilder().addToMatchLabels("role", "worker").build(),
            gw,
            false),
        Arguments.of("In", expr("zone", "In", "a", "b"), gw, true),
        Arguments.of("In miss", expr("zone", "In", "b"), gw, false),
        Arguments.of("NotIn on absent key", expr("rack", "NotIn", "1"), gw, true),
        Arguments.of("Exists", expr("zone", "Exists"), gw, true),
        Arguments.of("DoesNotExist", expr("zone", "DoesNotExist"), gw, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void matches(String name, LabelSelector selector, Map<String, String> labels, boolean want) {
    assertThat(Selectors.matches(selector, labels)).isEqualTo(want);
  }
}
