package dev.wiremesh.e2e.scenarios;

import dev.wiremesh.e2e.localmesh.PingMatrix;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A running WireMesh cluster the scenarios drive: the local mesh of network namespaces, or K3s.
 * Node names are the Kubernetes Node names.
 */
public interface MeshUnderTest extends AutoCloseable {

  KubernetesClient client();

  /** The operator's resync period: how long "one reconcile period" is. */
  Duration resync();

  List<String> nodes();

  /** A new node joins (and its agent starts); its name. */
  String addNode() throws Exception;

  /** The node leaves the cluster (its Node object goes, its agent stops). */
  void removeNode(String node) throws Exception;

  /** The node's agent dies (SIGKILL, as in a crash). */
  void killAgent(String node) throws Exception;

  void startAgent(String node) throws Exception;

  /** The agent's readiness probe, asked now. */
  boolean agentReady(String node);

  void stopOperator() throws Exception;

  /** The operator dies (SIGKILL, as in a crash): whatever it was doing is left unfinished. */
  void killOperator() throws Exception;

  void startOperator() throws Exception;

  /** Every node pings every other node's tunnel addresses once. */
  PingMatrix pingMatrix();

  /** Waits until every node's peer is Ready and the ping matrix is complete. */
  PingMatrix awaitUp(Duration timeout);

  /** One echo request from a node to an address, waiting at most 1 s. */
  boolean ping(String fromNode, String address);

  /**
   * {@code count} echo requests from a node to an address, one every {@code intervalMillis}, each
   * waited for at most 1 s; blocks until done.
   */
  PingMatrix.Flow pingFlow(String fromNode, String address, int count, int intervalMillis);

  /** The interface's public key as the stock {@code wg show wm0 public-key} prints it on a node. */
  String wgPublicKey(String node) throws Exception;

  /** The names of the key files ({@code *.key}) in the node agent's state folder. */
  Set<String> agentKeyFiles(String node) throws Exception;

  /** The public keys of the peers the node's agent holds now (its WireGuard device's). */
  Set<String> agentPeers(String node);

  /** The agent's count of configurations applied (its wiremesh_config_applies_total). */
  double configApplies(String node);

  /** A machine outside the cluster, on the nodes' network, that can run wg-quick. */
  ExternalHost externalHost() throws Exception;

  /** A machine outside the cluster. */
  interface ExternalHost {
    /** Brings up a WireGuard interface with wireguard-go from a complete wg-quick file. */
    void up(String wgQuickConfig) throws Exception;

    boolean ping(String address);

    void down() throws Exception;
  }
}
