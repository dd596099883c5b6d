package dev.wiremesh.agent.encryption;

import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.agent.EncryptionStatus;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.Collection;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the node's own nftables table as the applied config's policy says: with Required, exactly
 * the {@link RuleSet} generated from the config; with Preferred, no table. Fail closed: nothing
 * here removes the table when the agent stops, and a table that cannot be installed is reported
 * (never claimed), then tried again each time the status is read. Only the policy's table is ever
 * touched. Thread-safe.
 */
public final class EncryptionEnforcer {
  private static final Logger LOG = Logger.getLogger(EncryptionEnforcer.class.getName());

  private final Nft nft;
  private final int agentPort;
  private Policy policy;
  private RuleSet rules;
  private boolean installed;
  private String failure;

  /**
   * @param nft how to reach nftables
   * @param agentPort the agent API's TCP port, always exempt
   */
  public EncryptionEnforcer(Nft nft, int agentPort) {
    this.nft = nft;
    this.agentPort = agentPort;
  }

  /**
   * Brings the table to what {@code next} asks for a device with these addresses and peers' allowed
   * IPs. Never throws: a failure is kept for {@link #status()}.
   *
   * @param next the policy, or null for a config without one (the table of a previous policy goes)
   */
  public synchronized void apply(
      Policy next,
      String interfaceName,
      int listenPort,
      Collection<IpPrefix> tunnelAddresses,
      Collection<IpPrefix> routed) {
    if (policy != null && (next == null || !next.table().equals(policy.table()))) {
      remove(policy.table()); // the node left this mesh for another, or lost its policy
    }
    if (next == null || !next.required()) {
      policy = next;
      rules = null;
      installed = false;
      failure = next == null ? null : remove(next.table());
      return;
    }
    RuleSet want =
        RuleSet.generate(
            next.table(),
            interfaceName,
            listenPort,
            agentPort,
            next.apiServers(),
            tunnelAddresses,
            routed);
    boolean same = installed && want.equals(rules) && next.equals(policy);
    policy = next;
    rules = want;
    if (!same) {
      install();
    }
  }

  private void install() {
    long[] carried = {0, 0};
    try {
      carried = nft.counter(rules.table(), NftRule.COUNTER);
    } catch (NftException absent) {
      // no table yet: the counter starts at zero
    }
    try {
      nft.apply(rules.installJson(carried[0], carried[1]));
      installed = true;
      failure = null;
      LOG.info(
          "encryption Required: table inet "
              + rules.table()
              + " installed ("
              + rules.protected4().size()
              + " IPv4 and "
              + rules.protected6().size()
              + " IPv6 protected networks)");
      LOG.fine(() -> "the rules of table inet " + rules.table() + ":\n" + rules.describe());
    } catch (NftException e) {
      installed = false;
      failure = "cannot install table inet " + rules.table() + ": " + e.getMessage();
      LOG.log(Level.WARNING, failure);
    }
  }

  /** Removes {@code table}; null when done, else why not. */
  private String remove(String table) {
    try {
      nft.apply(RuleSet.removeJson(table));
      return null;
    } catch (NftException e) {
      String why = "cannot remove table inet " + table + ": " + e.getMessage();
      LOG.log(Level.WARNING, why);
      return why;
    }
  }

  /**
   * What is enforced now. With Required, checks that the table is there (reading its counter) and
   * installs it again when it is not (deleted by hand, or an earlier install failed); with
   * Preferred, retries a removal that failed.
   */
  public synchronized EncryptionStatus status() {
    if (policy == null) {
      return new EncryptionStatus(
          EncryptionPolicy.PREFERRED,
          null,
          false,
          EncryptionStatus.NOT_REQUIRED,
          "no encryption policy applied",
          0,
          0,
          null);
    }
    if (!policy.required()) {
      if (failure != null) {
        failure = remove(policy.table());
      }
      return new EncryptionStatus(
          EncryptionPolicy.PREFERRED,
          policy.table(),
          false,
          EncryptionStatus.NOT_REQUIRED,
          failure != null ? failure : "encryption is Preferred: plaintext is not blocked",
          0,
          0,
          null);
    }
    long[] counter = null;
    if (installed) {
      try {
        counter = nft.counter(rules.table(), NftRule.COUNTER);
      } catch (NftException e) {
        LOG.warning("table inet " + rules.table() + " is gone or unreadable: installing it again");
        installed = false;
      }
    }
    if (!installed) {
      install();
      if (installed) {
        counter = new long[] {0, 0};
      }
    }
    if (!installed) {
      return new EncryptionStatus(
          EncryptionPolicy.REQUIRED,
          rules.table(),
          false,
          EncryptionStatus.INSTALL_FAILED,
          failure,
          0,
          0,
          rules.describe());
    }
    return new EncryptionStatus(
        EncryptionPolicy.REQUIRED,
        rules.table(),
        true,
        EncryptionStatus.ENFORCED,
        "table inet "
            + rules.table()
            + " drops plaintext to and from "
            + (rules.protected4().size() + rules.protected6().size())
            + " protected network(s)",
        counter[0],
        counter[1],
        rules.describe());
  }
}
