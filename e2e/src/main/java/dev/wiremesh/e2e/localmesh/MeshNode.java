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

  /** Each node's own folder for UAPI sockets: every namespace shares this machine's /var/run. */
  public Path uapiDir() {
    return dir.resolve("uapi");
  }
}
