package dev.wiremesh.e2e.localmesh;

import java.nio.file.Path;

/**
 * A node of the local mesh: a network namespace on the bridge, its folder (the agent's state, TLS
 * files as the DaemonSet would mount them, UAPI sockets, log) and its agent.
 */
public record MeshNode(
    int index, String name, String netns, String address, Path dir, JavaApp agent) {

  public Path tlsDir() {
    return dir.resolve("tls");
  }

  public Path stateDir() {
    return dir.resolve("state");
  }

  /**
   * The node's UAPI sockets, as this machine sees them: the agent sees this folder at
   * /var/run/wireguard (mounted in its own mount namespace), so {@code wg} run in the agent's
   * namespaces works as on a real node, while every node's interface has the same name.
   */
  public Path uapiDir() {
    return dir.resolve("uapi");
  }
}
