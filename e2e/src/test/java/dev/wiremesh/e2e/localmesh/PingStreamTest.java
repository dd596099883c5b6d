package dev.wiremesh.e2e.localmesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
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
    assertThat(r.lostAt()).as("no times without -D -O lines").isEmpty();
    assertThat(r.lostOutside(List.of())).isEqualTo(6);
  }

  /**
   * With -D and -O, ping prints a timed line for each request still unanswered when the next goes:
   * the lost ones are placed in time, to tell those lost while an agent restarted from the others.
   * A request answered late (after its "no answer yet") is not lost.
   */
  @Test
  void placesEachLostRequestInTimeFromPingsNoAnswerYetLines() {
    StringBuilder out = new StringBuilder("PING 10.100.0.3 (10.100.0.3) 56(84) bytes of data.\n");
    long t0 = 1_796_313_546L;
    for (int seq = 1; seq <= 60; seq++) {
      String time = String.format("[%d.%06d] ", t0 + seq / 20, (seq % 20) * 50_000);
      if (seq == 5 || (seq >= 30 && seq <= 32)) {
        out.append(time).append("no answer yet for icmp_seq=").append(seq).append('\n');
      }
      if (seq != 30 && seq != 31 && seq != 32) {
        out.append(time).append("64 bytes from 10.100.0.3: icmp_seq=").append(seq);
        out.append(" ttl=64 time=0.5 ms\n");
      }
    }
    out.append("\n--- 10.100.0.3 ping statistics ---\n");
    out.append("60 packets transmitted, 57 received, 5% packet loss, time 2950ms\n");

    PingStream.Result r = PingStream.parse("n1 -> n3", out.toString(), 50);

    assertThat(r.lost()).isEqualTo(3);
    assertThat(r.lostAt())
        .containsExactly(
            Instant.ofEpochSecond(t0 + 1, 500_000_000L),
            Instant.ofEpochSecond(t0 + 1, 550_000_000L),
            Instant.ofEpochSecond(t0 + 1, 600_000_000L));
    var restart =
        new PingStream.Window(
            "restart", Instant.ofEpochSecond(t0 + 1, 520_000_000L), Instant.ofEpochSecond(t0 + 2));
    assertThat(r.lostIn(restart)).isEqualTo(2);
    assertThat(r.lostOutside(List.of(restart))).isEqualTo(1);
  }
}
