package dev.wiremesh.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyRotationsTest {
  static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @Test
  void anEventIsNamedAfterItsOccurrenceSoThatTakingAStepAgainFindsItRecorded() {
    var started = new RotationStateMachine.RotationEvent("KeyRotationStarted", "m", false, "a|k1");
    var again = new RotationStateMachine.RotationEvent("KeyRotationStarted", "m2", false, "a|k1");
    var other = new RotationStateMachine.RotationEvent("KeyRotationStarted", "m", false, "a|k2");
    var completed =
        new RotationStateMachine.RotationEvent("KeyRotationCompleted", "m", false, "a|k1");

    String name = KeyRotations.eventName("mesh-node-2", started);
    assertThat(name).startsWith("mesh-node-2.").matches(DNS_SUBDOMAIN);
    assertThat(KeyRotations.eventName("mesh-node-2", again)).isEqualTo(name);
    assertThat(KeyRotations.eventName("mesh-node-2", other)).isNotEqualTo(name);
    assertThat(KeyRotations.eventName("mesh-node-2", completed)).isNotEqualTo(name);
    assertThat(KeyRotations.eventName("mesh-node-3", started)).isNotEqualTo(name);
  }

  @Test
  void aLongPeerNameIsCutToLeaveAValidEventName() {
    String peer = "a".repeat(199) + "-b" + ".c".repeat(20);
    String name =
        KeyRotations.eventName(
            peer, new RotationStateMachine.RotationEvent("KeyRotationFailed", "m", true, "x"));
    assertThat(name).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
  }
}
