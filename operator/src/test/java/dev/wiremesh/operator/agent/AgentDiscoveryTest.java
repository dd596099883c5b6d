package dev.wiremesh.operator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentDiscoveryTest {

  static Pod pod(String name, String node, String ip, String phase, boolean ready, String created) {
    return pod(name, node, ip, phase, ready, false, created);
  }

  static Pod pod(
      String name,
      String node,
      String ip,
      String phase,
      boolean ready,
      boolean started,
      String created) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withCreationTimestamp(created)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withHostIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .addNewContainerStatus()
        .withName("agent")
        .withStarted(started)
        .withReady(ready)
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void oneAgentPerNodeAtItsHostIpOnlyOnceStarted() {
    var agents =
        AgentDiscovery.fromPods(
            List.of(
                pod("a1", "n1", "192.168.0.1", "Running", true, "2026-01-01T00:00:00Z"),
                pod("b1", "n2", "fd00::2", "Running", true, "2026-01-01T00:00:00Z"),
                pod("c1", "n3", "192.168.0.3", "Pending", false, "2026-01-01T00:00:00Z"),
                pod("d1", "n4", "192.168.0.4", "Running", false, "2026-01-01T00:00:00Z"),
                pod("a2", "n1", "192.168.0.1", "Running", true, "2026-01-02T00:00:00Z"),
                // Started (its API is up) but not ready: it has no configuration yet, and only the
                // operator can give it one.
                pod("e1", "n5", "192.168.0.5", "Running", false, true, "2026-01-01T00:00:00Z")),
            9443);
    assertThat(agents).containsOnlyKeys("n1", "n2", "n5");
    assertThat(agents.get("n1").baseUri()).isEqualTo(URI.create("https://192.168.0.1:9443"));
    assertThat(agents.get("n2").baseUri()).isEqualTo(URI.create("https://[fd00::2]:9443"));
  }
}
