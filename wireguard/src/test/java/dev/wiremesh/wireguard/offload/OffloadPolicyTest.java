package dev.wiremesh.wireguard.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OffloadPolicyTest {
  @ParameterizedTest
  @ValueSource(strings = {"", " "})
  void unsetOrEmptyAllowsEveryOffload(String value) {
    assertThat(OffloadPolicy.parse(value).disabled()).isEmpty();
    assertThat(OffloadPolicy.parse(null).disabled()).isEmpty();
  }

  @Test
  void aListDisablesWhatItNames() {
    var p = OffloadPolicy.parse("udp-gso, udp-gro");
    assertThat(p.disabled()).containsExactlyInAnyOrder(Offload.UDP_GSO, Offload.UDP_GRO);
    assertThat(p.allows(Offload.TUN_TSO)).isTrue();
    assertThat(p.allows(Offload.UDP_GSO)).isFalse();
  }

  @Test
  void withoutTheVirtioHeaderThereIsNoTcpSegmentationOffload() {
    assertThat(OffloadPolicy.parse("tun-vnet-hdr").disabled())
        .containsExactlyInAnyOrder(Offload.TUN_VNET_HDR, Offload.TUN_TSO);
    assertThat(OffloadPolicy.parse("tun-tso").disabled()).containsExactly(Offload.TUN_TSO);
  }

  @Test
  void allDisablesEverything() {
    assertThat(OffloadPolicy.parse("all").disabled()).isEqualTo(EnumSet.allOf(Offload.class));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gso", "udp-gso,", "UDP-GSO", "none"})
  void anUnknownEntryNamesTheVariableTheEntryAndWhatIsValid(String value) {
    assertThatThrownBy(() -> OffloadPolicy.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("WIREMESH_WG_DISABLE_OFFLOADS: \"")
        .hasMessageContaining("is not an offload")
        .hasMessageEndingWith(
            "valid: a comma-separated list of tun-vnet-hdr, tun-tso, udp-gso, udp-gro, or all");
  }
}
