package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The mesh's must-encrypt policy, as the operator sends it to a node's agent inside its {@link
 * DeviceConfig} (docs/agent-protocol.md, docs/encryption.md).
 *
 * <p>With {@link #REQUIRED} the agent keeps the nftables table {@code table} (and only that one) so
 * that no packet to or from a protected network leaves or enters the node other than through the
 * WireGuard interface. The protected networks are not listed here: they are the config's own
 * interface addresses and every peer's {@code allowedIPs} — exactly what the mesh routes — so a
 * node joining still travels to the others as a one-peer delta. With {@link #PREFERRED} the agent
 * removes {@code table} if it exists.
 *
 * @param mode {@link #PREFERRED} or {@link #REQUIRED}
 * @param table the nftables table (family inet) the agent owns for this mesh: {@code wiremesh-}
 *     followed by the mesh's name
 * @param apiServers the Kubernetes API server's addresses as {@code ip:port} ({@code [ip6]:port}),
 *     always exempt so that a wrong policy can never cut a node off the cluster
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EncryptionPolicy(String mode, String table, List<String> apiServers) {
  public static final String PREFERRED = "Preferred";
  public static final String REQUIRED = "Required";

  /** The prefix of every table an agent owns; the mesh's name follows it. */
  public static final String TABLE_PREFIX = "wiremesh-";

  public EncryptionPolicy {
    apiServers = apiServers == null ? List.of() : List.copyOf(apiServers);
  }

  /** The table name for a mesh. */
  public static String tableFor(String meshName) {
    return TABLE_PREFIX + meshName;
  }

  public boolean required() {
    return REQUIRED.equals(mode);
  }
}
