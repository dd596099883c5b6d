package dev.wiremesh.agent.location;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent turned on outlives the agent: a new run loads it, and only it. */
class ForwardingLedgerTest {

  @TempDir Path state;

  @Test
  void aNewRunKnowsWhatAnEarlierRunTurnedOn() throws Exception {
    ForwardingLedger first = ForwardingLedger.load(state);
    assertThat(first.ipv4()).isEmpty();
    assertThat(first.ipv6()).isFalse();
    first.ipv4("wm0", true);
    first.ipv4("eth1", true);
    first.ipv6(true);

    ForwardingLedger second = ForwardingLedger.load(state);
    assertThat(second.ipv4()).containsExactlyInAnyOrder("wm0", "eth1");
    assertThat(second.ipv6()).isTrue();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve(ForwardingLedger.FILE))))
        .isEqualTo("rw-------");

    second.ipv4("eth1", false);
    second.ipv6(false);
    ForwardingLedger third = ForwardingLedger.load(state);
    assertThat(third.ipv4()).containsExactly("wm0");
    assertThat(third.ipv6()).isFalse();
  }

  @Test
  void aDamagedLedgerOwnsNothingSoNothingIsTurnedOff() throws Exception {
    Files.writeString(state.resolve(ForwardingLedger.FILE), "{\"ipv4\":[\"wm0\"");
    Files.writeString(state.resolve("." + ForwardingLedger.FILE + ".123.tmp"), "{}");
    ForwardingLedger l = ForwardingLedger.load(state);
    assertThat(l.ipv4()).isEmpty();
    assertThat(l.ipv6()).isFalse();
    assertThat(state.resolve("." + ForwardingLedger.FILE + ".123.tmp"))
        .as("a killed save's temporary file is removed")
        .doesNotExist();
  }
}
