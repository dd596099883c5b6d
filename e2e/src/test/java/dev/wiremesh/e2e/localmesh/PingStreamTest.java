package dev.wiremesh.e2e.localmesh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Counting a ping stream's losses from ping's own output. */
class PingStreamTest {

  @Test
  void countsTheUnansweredAndTheLongestRunButNotTheLastSecondNorErrors() {
    StringBuilder out = new StringBuilder("PING 10.100.0.3 (10.100.0.3) 56(84) bytes of data.\n");
    for (int seq = 1; seq <= 60; seq++) {
      if (seq >= 10 && seq <= 14) {
        out.append("From 10.100.0.2 icmp_seq=").append(seq).append(" Destination unreachable\n");
      } else if (seq != 20 && seq < 50) {
        out.append("64 bytes from 10.100.0.3: icmp_seq=")
            .append(seq)
            .append(" ttl=64 time=0.5 ms\n");
      }
    }
    out.append("\n--- 10.100.0.3 ping statistics ---\n");
    out.append("60 packets transmitted, 43 received, +5 errors, 26.7% packet loss, time 2950ms\n");

    PingStream.Result r = PingStream.parse("n1 -> n3", out.toString(), 50);

    // 60 sent, the last 20 (one second at 50 ms) not counted; of 1-40, 10-14 (errors) and 20 are
    // lost.
    assertThat(r.sent()).isEqualTo(40);
    assertThat(r.lost()).isEqualTo(6);
    assertThat(r.longestGap()).isEqualTo(5);
    assertThat(r.toString()).isEqualTo("n1 -> n3: 6 of 40 lost, at most 5 in a row (0.25 s)");
  }
}
