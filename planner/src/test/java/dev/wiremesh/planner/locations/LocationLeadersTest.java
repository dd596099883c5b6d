package dev.wiremesh.planner.locations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.planner.locations.LocationLeaders.Candidate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Leader choice as a table. Each node is written as name plus flags: {@code *} preferred, {@code -}
 * not alive, {@code ~} alive but not settled (answered for less than the failover time), {@code +}
 * selected by the mesh's gatewaySelector.
 */
class LocationLeadersTest {

  static List<Candidate> parse(String nodes) {
    List<Candidate> out = new ArrayList<>();
    for (String n : nodes.split(" ")) {
      String name = n.replaceAll("[*~+-]", "");
      boolean alive = !n.contains("-");
      out.add(
          new Candidate(name, n.contains("*"), n.contains("+"), alive, alive && !n.contains("~")));
    }
    return out;
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // nodes, current leader, expected, why
        Arguments.of("n1 n2 n3", null, "n1", "a new location: the first by name"),
        Arguments.of("n3 n1 n2", null, "n1", "input order does not matter"),
        Arguments.of("n1 n2 n3", "n2", "n2", "the leader keeps the role while alive"),
        Arguments.of("n1 n2- n3", "n2", "n1", "the leader is gone: the first alive takes over"),
        Arguments.of("n1- n2- n3", "n1", "n3", "the first alive, skipping the gone"),
        Arguments.of("n1 n2 n3", "n3", "n3", "a returned node (n1) does not take the role back"),
        Arguments.of("n1~ n2 n3", "n2", "n2", "nor does one that just came back"),
        Arguments.of("n1- n2- n3-", "n2", "n2", "nobody alive: the leader stays"),
        Arguments.of("n1- n2-", null, "n1", "nobody alive, no leader yet: the first by name"),
        Arguments.of("n1 n2 n3*", null, "n3", "preferred first"),
        Arguments.of("n1 n2* n3*", "n1", "n2", "a settled preferred node takes the role"),
        Arguments.of("n1 n2*~ n3", "n1", "n1", "a preferred node that is not settled waits"),
        Arguments.of("n1- n2*~ n3", "n1", "n2", "unless the leader is gone"),
        Arguments.of("n1 n2* n3*", "n3", "n3", "a preferred leader keeps the role"),
        Arguments.of("n1 n2*- n3", "n2", "n1", "a gone preferred leader is replaced"),
        Arguments.of("n1 n2* n3", "n4", "n2", "a leader that left the location is replaced"),
        Arguments.of("n1 n2 n3", "n4", "n1", "the same without preference"),
        Arguments.of("n1 n2+ n3", null, "n2", "a new location: a gateway-selected node first"),
        Arguments.of("n1 n2+ n3+", null, "n2", "among selected ones, the first by name"),
        Arguments.of("n1 n2+ n3", "n1", "n1", "a selected node does not take the role"),
        Arguments.of("n1- n2 n3+", "n1", "n3", "the leader is gone: a selected node first"),
        Arguments.of("n1- n2 n3+-", "n1", "n2", "no selected node alive: the first alive"),
        Arguments.of("n1* n2+", null, "n1", "preferred before gateway-selected"));
  }

  @ParameterizedTest(name = "{0} (leader {1}) -> {2}: {3}")
  @MethodSource("table")
  void elect(String nodes, String current, String expected, String why) {
    assertThat(LocationLeaders.elect(parse(nodes), current)).as(why).isEqualTo(expected);
    List<Candidate> reversed = new ArrayList<>(parse(nodes));
    Collections.reverse(reversed);
    assertThat(LocationLeaders.elect(reversed, current)).as(why + ", reversed").isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} (leader {1}) -> {2}: {3}")
  @MethodSource("table")
  void electIsStable(String nodes, String current, String expected, String why) {
    // Electing again with the result as the leader gives the same leader: no flap.
    String once = LocationLeaders.elect(parse(nodes), current);
    assertThat(LocationLeaders.elect(parse(nodes), once)).isEqualTo(once);
    assertThat(LocationLeaders.elect(Map.of("x", parse(nodes)), Map.of()).get("x"))
        .isEqualTo(LocationLeaders.elect(parse(nodes), null));
  }
}
