package dev.wiremesh.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDeltasTest {

  static PeerConfig peer(String key, String allowed) {
    return new PeerConfig(key, null, null, List.of(allowed), 25);
  }

  static DeviceConfig config(List<String> addresses, int port, PeerConfig... peers) {
    return new DeviceConfig(null, "wm0", addresses, port, 1420, List.of(peers)).withHash();
  }

  @Test
  void holdsOnlyWhatChangedAndAppliesToTheNextConfig() {
    DeviceConfig before =
        config(List.of("10.0.0.1/24"), 51820, peer("A", "10.0.0.2/32"), peer("B", "10.0.0.3/32"));
    DeviceConfig after =
        config(List.of("10.0.0.1/24"), 51820, peer("B", "10.0.0.9/32"), peer("C", "10.0.0.4/32"));
    ConfigDelta d = ConfigDeltas.between(before, after);
    assertThat(d.baseHash()).isEqualTo(before.hash());
    assertThat(d.hash()).isEqualTo(after.hash());
    assertThat(d.upsert()).containsExactly(peer("B", "10.0.0.9/32"), peer("C", "10.0.0.4/32"));
    assertThat(d.remove()).containsExactly("A");
    // The agent's side: applying the delta to the base gives exactly the next config.
    DeviceConfig applied = before.apply(d);
    assertThat(applied.hashMatches()).isTrue();
    assertThat(applied.hash()).isEqualTo(after.hash());
  }

  @Test
  void interfaceChangesNeedAFullConfig() {
    DeviceConfig before = config(List.of("10.0.0.1/24"), 51820, peer("A", "10.0.0.2/32"));
    assertThat(
            ConfigDeltas.between(
                before, config(List.of("10.0.0.1/24"), 51821, peer("A", "10.0.0.2/32"))))
        .isNull();
    assertThat(
            ConfigDeltas.between(
                before, config(List.of("10.0.0.5/24"), 51820, peer("A", "10.0.0.2/32"))))
        .isNull();
    // The encryption policy is an interface setting too: the agent replaces its rules whole.
    var required = new dev.wiremesh.api.agent.EncryptionPolicy("Required", "wiremesh-m", List.of());
    DeviceConfig enforced = before.withEncryption(required).withHash();
    assertThat(ConfigDeltas.between(before, enforced)).isNull();
    assertThat(
            ConfigDeltas.between(
                enforced,
                before
                    .withEncryption(
                        new dev.wiremesh.api.agent.EncryptionPolicy(
                            "Preferred", "wiremesh-m", List.of()))
                    .withHash()))
        .isNull();
    DeviceConfig joined =
        config(List.of("10.0.0.1/24"), 51820, peer("A", "10.0.0.2/32"), peer("B", "10.0.0.3/32"))
            .withEncryption(required)
            .withHash();
    ConfigDelta d = ConfigDeltas.between(enforced, joined);
    assertThat(d.upsert()).as("a node joining a Required mesh is still a delta").hasSize(1);
    assertThat(enforced.apply(d).hashMatches()).isTrue();
  }
}
