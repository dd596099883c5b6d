package dev.wiremesh.e2e.localmesh;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the kubelet and the DaemonSet controller do for the agents on a real cluster, done for the
 * local mesh: a Node object per node (its InternalIP the node's bridge address), an agent Pod per
 * node (hostNetwork, so its host IP is the node's), the Pod's Ready condition following the agent's
 * readiness probe, and the agents' TLS Secret kept in files, as a Secret volume is.
 */
public final class Kubelet {

  /** The labels and names the Helm chart gives the agent Pods (and the operator looks for). */
  public static final String AGENT_LABEL = "app.kubernetes.io/name";

  public static final String AGENT_LABEL_VALUE = "wiremesh-agent";
  public static final String AGENT_TLS_SECRET = "wiremesh-agent-tls";
  public static final String GATEWAY_LABEL = "wiremesh.dev/gateway";
  public static final int AGENT_PORT = 9443;
  public static final int MANAGEMENT_PORT = 9090;

  private final KubernetesClient client;
  private final String namespace;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
  private final Map<String, Probes> probes = new ConcurrentHashMap<>();

  /** The version of the TLS Secret each node's files hold: they are written when it changes. */
  private final Map<String, String> tlsWritten = new ConcurrentHashMap<>();

  /** The agent's startup probe (its API is up) and readiness probe (it holds a configuration). */
  record Probes(boolean started, boolean ready) {}

  public Kubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Registers the node: its Node object and its agent Pod (not ready yet). */
  public void register(MeshNode n, boolean gateway) {
    register(n, gateway, Map.of());
  }

  /** The same, the Node with {@code labels} too (a location, say). */
  public void register(MeshNode n, boolean gateway, Map<String, String> labels) {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(n.name())
            .addToLabels("kubernetes.io/hostname", n.name())
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels(gateway ? Map.of(GATEWAY_LABEL, "true") : Map.of())
            .addToLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withPodCIDR("10.244." + n.index() + ".0/24")
            .withPodCIDRs("10.244." + n.index() + ".0/24")
            .endSpec()
            .withNewStatus()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress(n.address())
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(n.name())
            .endAddress()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    client.nodes().resource(node).create();
    client.pods().inNamespace(namespace).resource(pod(n, new Probes(false, false))).create();
    probes.put(n.name(), new Probes(false, false));
  }

  /** The node leaves: its agent Pod and its Node object are deleted. */
  public void deregister(MeshNode n) {
    client.pods().inNamespace(namespace).withName(podName(n)).delete();
    client.nodes().withName(n.name()).delete();
    probes.remove(n.name());
    tlsWritten.remove(n.name());
  }

  /** One round: TLS files brought up to date, Pod readiness following the agents' probes. */
  public void sync(Iterable<MeshNode> nodes) {
    Secret tls = client.secrets().inNamespace(namespace).withName(AGENT_TLS_SECRET).get();
    for (MeshNode n : nodes) {
      String version = tls == null ? null : tls.getMetadata().getResourceVersion();
      if (tls != null && !version.equals(tlsWritten.get(n.name()))) {
        writeSecret(tls, n.tlsDir());
        tlsWritten.put(n.name(), version);
      }
      boolean running = n.agent().running();
      Probes now = new Probes(running && probe(n, "started"), running && probe(n, "ready"));
      if (!Objects.equals(probes.get(n.name()), now)) {
        // Recorded once the Pod says so: an update the API server missed (it was down) is tried
        // again at the next round instead of leaving the Pod as it was.
        client.pods().inNamespace(namespace).resource(pod(n, now)).update();
        probes.put(n.name(), now);
      }
    }
  }

  /** Whether the agents' TLS Secret exists yet (the operator creates it on its first pass). */
  public boolean tlsIssued() {
    return client.secrets().inNamespace(namespace).withName(AGENT_TLS_SECRET).get() != null;
  }

  /** Whether the node's agent passed its startup probe at the last round. */
  public boolean started(MeshNode n) {
    Probes p = probes.get(n.name());
    return p != null && p.started();
  }

  /** Whether the node's agent passed its readiness probe at the last round. */
  public boolean ready(MeshNode n) {
    Probes p = probes.get(n.name());
    return p != null && p.ready();
  }

  /** One of the agent's probes ({@code started}, {@code live}, {@code ready}) right now. */
  boolean probe(MeshNode n, String check) {
    try {
      URI uri = URI.create("http://" + n.address() + ":" + MANAGEMENT_PORT + "/q/health/" + check);
      return http.send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The Secret's keys as files (0600), each replaced atomically. */
  static void writeSecret(Secret s, Path dir) {
    try {
      Files.createDirectories(dir);
      for (var e : s.getData().entrySet()) {
        byte[] content = Base64.getDecoder().decode(e.getValue());
        Path f = dir.resolve(e.getKey());
        Path tmp = dir.resolve("." + e.getKey() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, content);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the agents' TLS files to " + dir, e);
    }
  }

  static String podName(MeshNode n) {
    return "wiremesh-agent-" + n.name();
  }

  private Pod pod(MeshNode n, Probes p) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName(n))
        .withNamespace(namespace)
        .addToLabels(AGENT_LABEL, AGENT_LABEL_VALUE)
        .endMetadata()
        .withNewSpec()
        .withNodeName(n.name())
        .withHostNetwork(true)
        .addNewContainer()
        .withName("agent")
        .addNewPort()
        .withName("agent")
        .withContainerPort(AGENT_PORT)
        .endPort()
        .addNewPort()
        .withName("management")
        .withContainerPort(MANAGEMENT_PORT)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withHostIP(n.address())
        .withPodIP(n.address())
        .withStartTime(Instant.now().toString())
        .addNewCondition()
        .withType("Ready")
        .withStatus(p.ready() ? "True" : "False")
        .endCondition()
        .addNewContainerStatus()
        .withName("agent")
        .withStarted(p.started())
        .withReady(p.ready())
        .endContainerStatus()
        .endStatus()
        .build();
  }
}
