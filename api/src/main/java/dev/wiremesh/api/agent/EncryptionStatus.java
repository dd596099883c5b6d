package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an agent reports of its must-encrypt enforcement in {@link DeviceStatus}. An agent that
 * reports no {@code encryption} at all predates the policy and cannot enforce it.
 *
 * @param mode the policy the agent was given ({@code Preferred} before any)
 * @param table the nftables table it owns, null before a policy named one
 * @param enforced true only when the mode is Required and the agent's table is installed as
 *     generated from the applied config
 * @param reason one word: {@code Enforced}, {@code NotRequired}, {@code InstallFailed}
 * @param message what happened, for the WireGuardPeer's EncryptionEnforced condition
 * @param droppedPackets packets the table dropped since it was created (its nftables counter)
 * @param droppedBytes bytes the table dropped
 * @param rules the rule set, in nft's own syntax, as generated from the applied config (also when
 *     it could not be installed): the dry description
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EncryptionStatus(
    String mode,
    String table,
    boolean enforced,
    String reason,
    String message,
    long droppedPackets,
    long droppedBytes,
    String rules) {
  public static final String ENFORCED = "Enforced";
  public static final String NOT_REQUIRED = "NotRequired";
  public static final String INSTALL_FAILED = "InstallFailed";
}
