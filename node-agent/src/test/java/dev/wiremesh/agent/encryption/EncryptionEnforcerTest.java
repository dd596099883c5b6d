package dev.wiremesh.agent.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.EncryptionPolicy;
import dev.wiremesh.api.agent.EncryptionStatus;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The enforcer against an nftables double that keeps tables and counters as nft would. */
class EncryptionEnforcerTest {

  /** Tables by name with their counter; every batch recorded; can be told to fail. */
  static final class FakeNft implements Nft {
    final Map<String, long[]> tables = new HashMap<>();
    final List<String> batches = new ArrayList<>();
    String failWith;

    @Override
    public void apply(String json) throws NftException {
      if (failWith != null) {
        throw new NftException(failWith);
      }
      batches.add(json);
      String table = json.replaceFirst("(?s).*?\"name\":\"([^\"]+)\".*", "$1");
      if (json.contains("\"rule\"")) {
        long packets = Long.parseLong(json.replaceFirst("(?s).*\"packets\":([0-9]+).*", "$1"));
        long bytes = Long.parseLong(json.replaceFirst("(?s).*\"bytes\":([0-9]+).*", "$1"));
        tables.put(table, new long[] {packets, bytes});
      } else {
        tables.remove(table);
      }
    }

    @Override
    public long[] counter(String table, String counter) throws NftException {
      long[] c = tables.get(table);
      if (c == null || failWith != null) {
        throw new NftException("Error: No such file or directory");
      }
      return c.clone();
    }
  }

  static final List<IpPrefix> OWN = List.of(IpPrefix.parse("10.100.0.3/16"));
  static final List<IpPrefix> PEERS =
      List.of(IpPrefix.parse("10.100.0.2/32"), IpPrefix.parse("10.244.1.0/24"));

  static Policy policy(String mode, String table) throws Exception {
    return Policy.parse(new EncryptionPolicy(mode, table, List.of("192.0.2.10:6443")));
  }

  final FakeNft nft = new FakeNft();
  final EncryptionEnforcer enforcer = new EncryptionEnforcer(nft, 9443);

  @Test
  void requiredInstallsTheTableAndReportsItsCounter() throws Exception {
    enforcer.apply(policy("Required", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    assertThat(nft.tables).containsOnlyKeys("wiremesh-mesh");
    nft.tables.put("wiremesh-mesh", new long[] {4, 336}); // the kernel dropped something
    EncryptionStatus s = enforcer.status();
    assertThat(s.enforced()).isTrue();
    assertThat(s.reason()).isEqualTo("Enforced");
    assertThat(s.droppedPackets()).isEqualTo(4);
    assertThat(s.droppedBytes()).isEqualTo(336);
    assertThat(s.rules()).contains("table inet wiremesh-mesh", "10.244.1.0/24");
  }

  @Test
  void reApplyingTheSameConfigDoesNothingAndAChangeReplacesKeepingTheCounter() throws Exception {
    enforcer.apply(policy("Required", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    enforcer.apply(policy("Required", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    assertThat(nft.batches).hasSize(1);
    nft.tables.put("wiremesh-mesh", new long[] {4, 336});
    enforcer.apply(
        policy("Required", "wiremesh-mesh"),
        "wm0",
        51820,
        OWN,
        List.of(IpPrefix.parse("10.100.0.2/32")));
    assertThat(nft.batches).hasSize(2);
    assertThat(nft.batches.get(1)).doesNotContain("10.244.1.0");
    assertThat(enforcer.status().droppedPackets()).as("carried over").isEqualTo(4);
  }

  @Test
  void aTableThatCannotBeInstalledIsReportedNotClaimedAndRetried() throws Exception {
    nft.failWith = "cannot run nft (the agent needs nft, Debian's package nftables)";
    enforcer.apply(policy("Required", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    EncryptionStatus s = enforcer.status();
    assertThat(s.enforced()).isFalse();
    assertThat(s.reason()).isEqualTo("InstallFailed");
    assertThat(s.message()).contains("cannot install table inet wiremesh-mesh", "nftables");
    assertThat(s.rules()).as("the dry description all the same").contains("chain output");
    nft.failWith = null;
    assertThat(enforcer.status().enforced()).as("installed on the next look").isTrue();
  }

  @Test
  void aTableDeletedByHandIsInstalledAgain() throws Exception {
    enforcer.apply(policy("Required", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    nft.tables.clear();
    assertThat(enforcer.status().enforced()).isTrue();
    assertThat(nft.tables).containsOnlyKeys("wiremesh-mesh");
  }

  @Test
  void preferredRemovesOnlyItsOwnTable() throws Exception {
    nft.tables.put("someone-else", new long[] {1, 1});
    enforcer.apply(policy("Required", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    enforcer.apply(policy("Preferred", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    assertThat(nft.tables).containsOnlyKeys("someone-else");
    EncryptionStatus s = enforcer.status();
    assertThat(s.enforced()).isFalse();
    assertThat(s.reason()).isEqualTo("NotRequired");
    assertThat(s.mode()).isEqualTo("Preferred");
  }

  @Test
  void aPreferredAgentRemovesALeftOverTableOfItsMeshAndAnotherMeshsTableWhenItMoves()
      throws Exception {
    nft.tables.put("wiremesh-mesh", new long[] {0, 0}); // left by an earlier run
    enforcer.apply(policy("Preferred", "wiremesh-mesh"), "wm0", 51820, OWN, PEERS);
    assertThat(nft.tables).isEmpty();
    enforcer.apply(policy("Required", "wiremesh-a"), "wm0", 51820, OWN, PEERS);
    enforcer.apply(policy("Required", "wiremesh-b"), "wm0", 51820, OWN, PEERS);
    assertThat(nft.tables).containsOnlyKeys("wiremesh-b");
  }

  @Test
  void policiesAreValidatedFieldByField() {
    record Bad(EncryptionPolicy policy, String field, String message) {}
    for (Bad b :
        List.of(
            new Bad(
                new EncryptionPolicy("required", "wiremesh-m", List.of()),
                "mode",
                "Preferred or Required"),
            new Bad(new EncryptionPolicy("Required", "filter", List.of()), "table", "wiremesh-"),
            new Bad(
                new EncryptionPolicy("Required", "wiremesh-M", List.of()), "table", "lower-case"),
            new Bad(
                new EncryptionPolicy("Required", "wiremesh-" + "a".repeat(250), List.of()),
                "table",
                "255"),
            new Bad(
                new EncryptionPolicy(
                    "Required", "wiremesh-m", List.of("192.0.2.1:6443", "k8s:443")),
                "apiServers[1]",
                "192.0.2.10:6443"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Policy.parse(b.policy()))
          .isInstanceOfSatisfying(
              Policy.InvalidPolicyException.class,
              e -> {
                assertThat(e.field()).isEqualTo(b.field());
                assertThat(e.getMessage()).contains(b.message());
              });
    }
  }
}
