package dev.wiremesh.planner.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExternalPeerPoolsTest {

  static List<Cidr> cidrs(String... s) {
    return Stream.of(s).map(Cidr::parse).toList();
  }

  static List<String> show(List<Cidr> pools) {
    return pools.stream().map(c -> Addresses.canonicalNetwork(c.toString())).toList();
  }

  static Stream<Arguments> defaults() {
    return Stream.of(
        Arguments.of("10.100.0.0/16", "10.100.255.0/24"),
        Arguments.of("10.0.0.0/8", "10.255.255.0/24"),
        Arguments.of("10.100.0.0/22", "10.100.3.0/24"),
        Arguments.of("10.100.0.0/24", "10.100.0.192/26"),
        Arguments.of("10.100.0.0/28", "10.100.0.12/30"),
        Arguments.of("10.100.0.0/29", null),
        Arguments.of("10.100.0.0/32", null),
        Arguments.of("fd00:100::/64", "fd00:100::ffff:ffff:ffff:0/112"),
        Arguments.of("fd00:100::/112", "fd00:100::c000/114"),
        Arguments.of("fd00:100::/124", "fd00:100::c/126"),
        Arguments.of("fd00:100::/125", null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("defaults")
  void theDefaultIsTheEndOfThePoolAndLeavesTheNodesThreeQuartersAtLeast(String pool, String want) {
    assertThat(ExternalPeerPools.defaultOf(Cidr.parse(pool)).map(c -> show(List.of(c)).getFirst()))
        .isEqualTo(java.util.Optional.ofNullable(want));
  }

  @Test
  void perFamilyTheConfiguredPoolElseTheDefault() {
    List<Cidr> dual = cidrs("10.100.0.0/16", "fd00:100::/64");
    assertThat(show(ExternalPeerPools.of(dual, null)))
        .containsExactly("10.100.255.0/24", "fd00:100::ffff:ffff:ffff:0/112");
    assertThat(show(ExternalPeerPools.of(dual, List.of("10.100.128.0/20"))))
        .as("IPv4 given, IPv6 default")
        .containsExactly("10.100.128.0/20", "fd00:100::ffff:ffff:ffff:0/112");
    assertThat(show(ExternalPeerPools.of(dual, List.of("fd00:100::1:0/112", "10.100.7.0/24"))))
        .containsExactly("10.100.7.0/24", "fd00:100::1:0/112");
    assertThat(show(ExternalPeerPools.of(cidrs("10.100.0.0/29"), null)))
        .as("too small for a pool of its own")
        .isEmpty();
  }

  @Test
  void problemsNameTheFieldAndWhatIsValid() {
    List<Cidr> dual = cidrs("10.100.0.0/16", "fd00:100::/64");
    assertThat(ExternalPeerPools.problems(dual, null)).isEmpty();
    assertThat(ExternalPeerPools.problems(dual, List.of("10.100.255.0/24", "fd00:100::/112")))
        .isEmpty();
    assertThat(ExternalPeerPools.problems(dual, List.of("10.101.0.0/24")))
        .containsExactly(
            "spec.externalPeerPools[0]: '10.101.0.0/24' must lie inside the spec.addressPools"
                + " entry of its address family [10.100.0.0/16, fd00:100::/64] and be"
                + " smaller than it (the nodes get their addresses from the rest)");
    assertThat(ExternalPeerPools.problems(dual, List.of("10.100.0.0/16")))
        .singleElement()
        .asString()
        .startsWith("spec.externalPeerPools[0]: '10.100.0.0/16' must lie inside");
    assertThat(ExternalPeerPools.problems(dual, List.of("10.100.255.1/24")))
        .singleElement()
        .asString()
        .startsWith("spec.externalPeerPools[0]: '10.100.255.1/24' has host bits set");
    assertThat(ExternalPeerPools.problems(dual, List.of("10.100.1.0/24", "10.100.2.0/24")))
        .containsExactly("spec.externalPeerPools: at most one IPv4 and one IPv6 CIDR");
  }
}
