package dev.wiremesh.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The agent's settings ({@code wiremesh.agent.*}, or environment variables WIREMESH_AGENT_*). */
@ConfigMapping(prefix = "wiremesh.agent")
public interface AgentSettings {
  /** Where the private key and the applied config live (mode 0700). */
  @WithDefault("/var/lib/wiremesh")
  Path stateDir();

  /** Where the UAPI socket goes, so the stock {@code wg} works on the node. */
  @WithDefault("/var/run/wireguard")
  Path uapiDir();

  /**
   * The nft executable (Debian's package nftables) through which the agent keeps its table for
   * encryption Required: a path, or a name looked up on the PATH.
   */
  @WithDefault("nft")
  String nft();

  /** The WireGuard port reported before the operator configured one. */
  @WithDefault("51820")
  int listenPort();

  /**
   * The addresses (IP only) peers reach this node at; empty means every global address of the
   * node's interfaces. The operator pairs them with the listen port.
   */
  Optional<List<String>> endpoints();
}
