package dev.wiremesh.operator.encryption;

/**
 * What a node peer's EncryptionEnforced condition says.
 *
 * @param enforced the condition's status
 * @param reason one word: Enforced, NotRequired, InstallFailed, AgentTooOld, AgentUnreachable,
 *     Pending
 * @param message for the user: what is missing and what to do
 */
public record NodeEnforcement(boolean enforced, String reason, String message) {}
