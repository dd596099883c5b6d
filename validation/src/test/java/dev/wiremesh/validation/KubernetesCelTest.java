package dev.wiremesh.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubernetesCelTest {

  @Test
  void kubernetesIpSemantics() {
    assertThat(KubernetesCel.isIp("10.0.0.1")).isTrue();
    assertThat(KubernetesCel.isIp("010.0.0.1")).as("leading zeros").isFalse();
    assertThat(KubernetesCel.isIp("fe80::1%eth0")).as("zones").isFalse();
    assertThat(KubernetesCel.isIp("::ffff:1.2.3.4")).as("IPv4-mapped").isFalse();
    assertThat(KubernetesCel.isIp("example.com")).isFalse();
    assertThat(KubernetesCel.isCidr("10.0.0.1/8")).as("host bits set are allowed").isTrue();
    assertThat(KubernetesCel.isCidr("fd00::/129")).isFalse();
    assertThat(KubernetesCel.isCidr("10.0.0.0/08")).isFalse();
  }

  @Test
  void aRuleThatFailsToEvaluateCountsAsFailed() {
    assertThat(KubernetesCel.holds("int(self) > 0", "not a number")).isFalse();
    assertThat(KubernetesCel.holds("self.size() > 1", "ab")).isTrue();
  }
}
