package dev.wiremesh.operator.reconcile;

import dev.wiremesh.operator.agent.FakeAgent;
import dev.wiremesh.operator.pki.AgentTls;
import dev.wiremesh.operator.pki.IssuedCertificate;
import dev.wiremesh.operator.pki.Pem;
import dev.wiremesh.operator.pki.PkiSecrets;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A cluster for reconciler tests: Nodes and agent Pods in the mock API server, each node's agent a
 * {@link FakeAgent} serving with the certificate the operator put into the agents' Secret — as a
 * real agent would mount it — and taking key rotation steps.
 */
final class TestCluster implements AutoCloseable {

  static final String NAMESPACE = "wiremesh";
  private static final SecureRandom RANDOM = new SecureRandom();

  final KubernetesClient client;
  final Map<String, FakeAgent> agents = new HashMap<>();
  final Map<String, String> keys = new HashMap<>();
  private final SSLContext agentTls;

  TestCluster(KubernetesClient client) {
    this.client = client;
    // The operator creates the PKI on its first pass; doing it first here is the same (idempotent).
    new PkiSecrets(client, NAMESPACE, Clock.systemUTC()).ensure();
    Map<String, String> data =
        client.secrets().inNamespace(NAMESPACE).withName(PkiSecrets.AGENT_SECRET).get().getData();
    IssuedCertificate server =
        new IssuedCertificate(
            Pem.certificate(decode(data.get("tls.crt"))),
            Pem.privateKey(decode(data.get("tls.key"))));
    this.agentTls = AgentTls.serverContext(Pem.certificate(decode(data.get("ca.crt"))), server);
  }

  static String randomKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  /** A Node labelled {@code labels}, with its agent Pod and a fake agent answering for it. */
  FakeAgent addNode(String name, Map<String, String> labels, int index) throws Exception {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withPodCIDRs(List.of("10.244." + index + ".0/24"))
            .endSpec()
            .withNewStatus()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress("192.168.1." + index)
            .endAddress()
            .endStatus()
            .build();
    client.nodes().resource(node).create();
    FakeAgent agent = new FakeAgent(name, agentTls);
    String key = randomKey();
    agent.keys(key, 51820, List.of("192.168.1." + index + ":51820"));
    agents.put(name, agent);
    keys.put(name, key);
    client.pods().inNamespace(NAMESPACE).resource(agentPod(name, agent.port())).create();
    return agent;
  }

  void removeNode(String name) {
    client.nodes().withName(name).delete();
    client.pods().inNamespace(NAMESPACE).withName("agent-" + name).delete();
  }

  static Pod agentPod(String node, int port) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("agent-" + node)
        .withNamespace(NAMESPACE)
        .addToLabels("app.kubernetes.io/name", "wiremesh-agent")
        .withCreationTimestamp("2026-11-25T00:00:00Z")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withHostNetwork(true)
        .addNewContainer()
        .withName("agent")
        .withImage("wiremesh/agent")
        .addNewPort()
        .withName("agent")
        .withContainerPort(port)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withHostIP("127.0.0.1")
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    agents.values().forEach(FakeAgent::close);
  }
}
