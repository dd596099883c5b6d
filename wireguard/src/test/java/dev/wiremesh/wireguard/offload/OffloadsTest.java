package dev.wiremesh.wireguard.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.wireguard.offload.OffloadState.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class OffloadsTest {
  @Test
  void startsPendingOrDisabledByPolicy() {
    var o = new Offloads(OffloadPolicy.parse("udp-gro"));
    assertThat(o.state(Offload.TUN_TSO).status()).isEqualTo(Status.PENDING);
    assertThat(o.state(Offload.UDP_GRO).status()).isEqualTo(Status.DISABLED);
    assertThat(o.state(Offload.UDP_GRO).engaged()).isFalse();
  }

  @Test
  void recordsWhatTheKernelAnsweredButNeverOverridesThePolicy() {
    var o = new Offloads(OffloadPolicy.parse("udp-gro"));
    o.negotiated(Offload.TUN_TSO, true, "csum, tso4, tso6");
    o.negotiated(Offload.UDP_GSO, false, "ipv6: ENOPROTOOPT");
    o.negotiated(Offload.UDP_GRO, true, "ipv4, ipv6");
    assertThat(o.state(Offload.TUN_TSO).engaged()).isTrue();
    assertThat(o.state(Offload.UDP_GSO).status()).isEqualTo(Status.REFUSED);
    assertThat(o.state(Offload.UDP_GRO).status()).isEqualTo(Status.DISABLED);
    assertThat(o.describe())
        .isEqualTo(
            "offloads: tun-vnet-hdr pending, tun-tso on (csum, tso4, tso6),"
                + " udp-gso refused (ipv6: ENOPROTOOPT), udp-gro disabled (by policy)");
  }

  @Test
  void aFallbackIsRecordedAndLoggedOnce() {
    var o = Offloads.allowingAll();
    o.negotiated(Offload.UDP_GSO, true, "ipv4, ipv6");
    List<String> lines = new ArrayList<>();
    Logger logger = Logger.getLogger(Offloads.class.getName());
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            lines.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(h);
    try {
      o.fellBack(Offload.UDP_GSO, "ipv4 send to 192.0.2.1:51820 refused with EIO");
      o.fellBack(Offload.UDP_GSO, "ipv4 send to 192.0.2.1:51820 refused with EIO");
    } finally {
      logger.removeHandler(h);
    }
    assertThat(o.state(Offload.UDP_GSO).status()).isEqualTo(Status.FELL_BACK);
    assertThat(o.state(Offload.UDP_GSO).engaged()).isFalse();
    assertThat(lines)
        .singleElement()
        .asString()
        .startsWith(
            "offload udp-gso fell back to the plain path: ipv4 send to 192.0.2.1:51820 refused"
                + " with EIO; offloads: ");
  }
}
