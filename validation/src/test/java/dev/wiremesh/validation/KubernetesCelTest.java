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

  @Test
  void kubernetesCidrSemantics() {
    assertThat(KubernetesCel.holds("cidr('10.100.0.0/16').containsCIDR(self)", "10.100.255.0/24"))
        .isTrue();
    assertThat(KubernetesCel.holds("cidr('10.100.0.0/16').containsCIDR(self)", "10.100.0.0/16"))
        .as("a network contains itself")
        .isTrue();
    assertThat(KubernetesCel.holds("cidr('10.100.0.0/16').containsCIDR(self)", "10.0.0.0/8"))
        .as("a wider network")
        .isFalse();
    assertThat(KubernetesCel.holds("cidr('10.100.0.0/16').containsCIDR(self)", "10.101.0.0/24"))
        .isFalse();
    assertThat(KubernetesCel.holds("cidr('10.100.0.0/16').containsCIDR(self)", "fd00:100::/112"))
        .as("another family")
        .isFalse();
    assertThat(
            KubernetesCel.holds(
                "cidr('fd00:100::/64').containsCIDR(cidr(self))", "fd00:100::ffff:ffff:ffff:0/112"))
        .isTrue();
    assertThat(KubernetesCel.holds("cidr(self).prefixLength() == 112", "fd00:100::/112")).isTrue();
    assertThat(KubernetesCel.holds("cidr(self).prefixLength() == 24", "10.1.2.3/24"))
        .as("host bits set are allowed")
        .isTrue();
    assertThat(KubernetesCel.holds("cidr(self).prefixLength() > 0", "10.0.0.0/33"))
        .as("not a CIDR: the rule fails to evaluate")
        .isFalse();
    assertThat(KubernetesCel.holds("cidr(self).prefixLength() > 0", "010.0.0.0/8")).isFalse();
  }
}
