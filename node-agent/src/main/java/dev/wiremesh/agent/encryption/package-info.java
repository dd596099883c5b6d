/**
 * The must-encrypt policy on a node (docs/encryption.md): {@link
 * dev.wiremesh.agent.encryption.RuleSet} turns the applied config into the nftables rules of the
 * agent's own table — a pure function, tested as tables — and {@link
 * dev.wiremesh.agent.encryption.EncryptionEnforcer} installs, checks and removes that table through
 * {@link dev.wiremesh.agent.encryption.Nft} ({@code nft -j -f -}, nft's JSON interface), and reads
 * its drop counter. The table outlives the agent: nothing here removes it on shutdown.
 */
package dev.wiremesh.agent.encryption;
