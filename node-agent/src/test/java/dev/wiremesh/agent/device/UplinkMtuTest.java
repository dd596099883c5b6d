package dev.wiremesh.agent.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UplinkMtuTest {
  static final String HEADER =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

  @Test
  void theDefaultRoutesInterfaceMinus80() {
    // lo stands in for the uplink: its MTU is 65536.
    List<String> table =
        List.of(
            HEADER,
            "lo\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "lo\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0");
    assertThat(UplinkMtu.fromRouteTable(table)).isEqualTo(65536 - 80);
  }

  @Test
  void withoutADefaultRouteTheUsual1420() {
    assertThat(UplinkMtu.fromRouteTable(List.of(HEADER))).isEqualTo(1420);
    assertThat(
            UplinkMtu.fromRouteTable(
                List.of(HEADER, "nosuchif0\t00000000\t01000000\t0003\t0\t0\t0\t00000000\t0\t0\t0")))
        .isEqualTo(1420);
  }
}
