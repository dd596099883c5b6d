package dev.wiremesh.cli;

import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The cluster as the plugin reads it (it never writes). Every failure becomes one line that says
 * what is wrong: the cluster cannot be reached, the CRDs are not installed, access is denied.
 */
public final class Cluster implements AutoCloseable {

  static final String MESH_CRD = "wireguardmeshes.wiremesh.dev";
  static final String PEER_CRD = "wireguardpeers.wiremesh.dev";

  private final KubernetesClient client;

  public Cluster(KubernetesClient client) {
    this.client = client;
  }

  public KubernetesClient client() {
    return client;
  }

  /** Every mesh, by name. */
  public List<WireGuardMesh> meshes() {
    return call(
            "list WireGuardMeshes", () -> client.resources(WireGuardMesh.class).list().getItems())
        .stream()
        .sorted(Comparator.comparing(m -> m.getMetadata().getName()))
        .toList();
  }

  /** The mesh {@code name}; an error naming the meshes there are when it does not exist. */
  public WireGuardMesh mesh(String name) {
    WireGuardMesh m =
        call(
            "get WireGuardMesh " + name,
            () -> client.resources(WireGuardMesh.class).withName(name).get());
    if (m == null) {
      List<String> names = meshes().stream().map(x -> x.getMetadata().getName()).toList();
      throw new CliException(
          "WireGuardMesh \""
              + name
              + "\" not found"
              + (names.isEmpty()
                  ? " (there is no mesh)"
                  : " (meshes: " + String.join(", ", names) + ")"));
    }
    return m;
  }

  public List<WireGuardPeer> peers() {
    return call(
        "list WireGuardPeers", () -> client.resources(WireGuardPeer.class).list().getItems());
  }

  public WireGuardPeer peer(String name) {
    return call(
        "get WireGuardPeer " + name,
        () -> client.resources(WireGuardPeer.class).withName(name).get());
  }

  public List<Node> nodes() {
    return call("list Nodes", () -> client.nodes().list().getItems());
  }

  /** The Secret, or null when it does not exist. */
  public Secret secret(String namespace, String name) {
    return call(
        "get Secret " + namespace + "/" + name,
        () -> client.secrets().inNamespace(namespace).withName(name).get());
  }

  /**
   * Fails with one line when the WireMesh CRDs are not installed. A real API server answers 404 for
   * their resources then; asking for the CRDs first says so on every server, and names the cause.
   */
  public void requireCrds() {
    crd(MESH_CRD);
    crd(PEER_CRD);
  }

  /** The installed CRD {@code name}; an error saying the CRDs are missing when it is not there. */
  public CustomResourceDefinition crd(String name) {
    CustomResourceDefinition crd =
        call(
            "get CustomResourceDefinition " + name,
            () -> client.apiextensions().v1().customResourceDefinitions().withName(name).get());
    if (crd == null) {
      throw missingCrds();
    }
    return crd;
  }

  private CliException missingCrds() {
    return new CliException(
        "the WireMesh CRDs are not installed in this cluster (install them with kubectl apply -f"
            + " crds/ or the Helm chart)");
  }

  /** Runs a read, turning the client's exceptions into one clear line. */
  <T> T call(String what, Supplier<T> read) {
    try {
      return read.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 && (what.contains("WireGuard"))) {
        throw missingCrds();
      }
      if (e.getCode() == 401) {
        throw new CliException(
            "cannot " + what + ": not authenticated to " + server() + " (check your kubeconfig)",
            e);
      }
      if (e.getCode() == 403) {
        throw new CliException("cannot " + what + ": forbidden (" + reason(e) + ")", e);
      }
      if (e.getCode() == 0 || rootCause(e) instanceof IOException) {
        throw new CliException(
            "cannot reach the cluster at "
                + server()
                + ": "
                + reason(rootCause(e))
                + " (check --context and KUBECONFIG)",
            e);
      }
      throw new CliException("cannot " + what + ": " + reason(e), e);
    }
  }

  private String server() {
    return client.getConfiguration().getMasterUrl();
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String reason(Throwable t) {
    if (t instanceof KubernetesClientException k && k.getStatus() != null) {
      return k.getStatus().getMessage();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }
}
