package dev.wiremesh.wireguard.allowedips;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares {@link AllowedIps} with a naive list of prefixes through thousands of random inserts,
 * moves, removals and lookups. Every assertion names the seed, so a failure reproduces.
 */
class AllowedIpsRandomizedTest {

  /** The obvious implementation: a list, searched in full for the longest matching prefix. */
  static final class NaiveTable {
    record Entry(IpPrefix prefix, Integer peer) {}

    final List<Entry> entries = new ArrayList<>();

    void insert(IpPrefix p, Integer peer) {
      IpPrefix m = p.masked();
      entries.removeIf(e -> e.prefix.equals(m));
      entries.add(new Entry(m, peer));
    }

    void remove(IpPrefix p, Integer peer) {
      IpPrefix m = p.masked();
      entries.removeIf(e -> e.prefix.equals(m) && e.peer.equals(peer));
    }

    void removeByPeer(Integer peer) {
      entries.removeIf(e -> e.peer.equals(peer));
    }

    Integer lookup(byte[] address) {
      Entry best = null;
      for (Entry e : entries) {
        if (e.prefix.contains(address)
            && (best == null || e.prefix.length() > best.prefix.length())) {
          best = e;
        }
      }
      return best == null ? null : best.peer;
    }

    List<String> entriesFor(Integer peer) {
      return entries.stream()
          .filter(e -> e.peer.equals(peer))
          .map(e -> e.prefix.toString())
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 20261125, 424242})
  void agreesWithANaiveList(long seed) {
    Random random = new Random(seed);
    AllowedIps<Integer> trie = new AllowedIps<>();
    NaiveTable naive = new NaiveTable();
    int peers = 20;
    List<byte[]> seen = new ArrayList<>(); // addresses near inserted prefixes, so lookups hit
    int hits = 0;
    int lookups = 0;

    for (int step = 0; step < 4000; step++) {
      boolean v6 = random.nextBoolean();
      byte[] address = randomAddress(random, v6, seen);
      int length = randomLength(random, v6);
      IpPrefix prefix = new IpPrefix(address, length);
      Integer peer = random.nextInt(peers);
      int op = random.nextInt(100);
      if (op < 70) {
        trie.insert(prefix, peer);
        naive.insert(prefix, peer);
        seen.add(address);
      } else if (op < 95) {
        // remove an existing prefix half of the time
        if (!naive.entries.isEmpty() && random.nextBoolean()) {
          NaiveTable.Entry e = naive.entries.get(random.nextInt(naive.entries.size()));
          prefix = e.prefix();
          peer = random.nextBoolean() ? e.peer() : random.nextInt(peers);
        }
        boolean heldBefore = naive.entries.contains(new NaiveTable.Entry(prefix.masked(), peer));
        assertThat(trie.remove(prefix, peer))
            .as("seed %d step %d remove", seed, step)
            .isEqualTo(heldBefore);
        naive.remove(prefix, peer);
      } else {
        trie.removeByPeer(peer);
        naive.removeByPeer(peer);
      }
      for (int q = 0; q < 8; q++) {
        byte[] probe = randomAddress(random, random.nextBoolean(), seen);
        Integer expected = naive.lookup(probe);
        lookups++;
        hits += expected == null ? 0 : 1;
        assertThat(trie.lookup(probe))
            .as("seed %d step %d lookup %s", seed, step, new IpPrefix(probe, probe.length * 8))
            .isEqualTo(expected);
      }
    }
    // the comparison means something only if many lookups find a peer, and not all do
    assertThat(hits)
        .as("seed %d: lookups that found a peer", seed)
        .isBetween(lookups / 5, lookups - lookups / 20);
    for (int peer = 0; peer < peers; peer++) {
      List<String> fromTrie =
          trie.entriesForPeer(peer).stream().map(IpPrefix::toString).sorted().toList();
      assertThat(fromTrie)
          .as("seed %d entries of peer %d", seed, peer)
          .isEqualTo(naive.entriesFor(peer));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8})
  void entriesForPeerIsInAddressOrder(long seed) {
    Random random = new Random(seed);
    AllowedIps<Integer> trie = new AllowedIps<>();
    List<byte[]> seen = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      boolean v6 = random.nextBoolean();
      trie.insert(new IpPrefix(randomAddress(random, v6, seen), randomLength(random, v6)), 0);
    }
    List<IpPrefix> entries = trie.entriesForPeer(0);
    Comparator<IpPrefix> order =
        Comparator.<IpPrefix>comparingInt(p -> p.address().length)
            .thenComparing(IpPrefix::address, java.util.Arrays::compareUnsigned)
            .thenComparingInt(IpPrefix::length);
    assertThat(entries).as("seed %d", seed).isSortedAccordingTo(order);
  }

  private static int randomLength(Random random, boolean v6) {
    int max = v6 ? 128 : 32;
    // favour the lengths people use, but cover every one
    return random.nextInt(4) == 0 ? random.nextInt(max + 1) : max - random.nextInt(max / 4 + 1);
  }

  /** A fresh random address, or one that shares a random-length prefix with an earlier one. */
  private static byte[] randomAddress(Random random, boolean v6, List<byte[]> seen) {
    byte[] a = new byte[v6 ? 16 : 4];
    random.nextBytes(a);
    if (!seen.isEmpty() && random.nextInt(4) != 0) {
      byte[] base = seen.get(random.nextInt(seen.size()));
      if (base.length == a.length) {
        int keep = random.nextInt(a.length * 8 + 1);
        for (int bit = 0; bit < keep; bit++) {
          int mask = 0x80 >>> (bit & 7);
          a[bit >>> 3] = (byte) ((a[bit >>> 3] & ~mask) | (base[bit >>> 3] & mask));
        }
      }
    }
    return a;
  }
}
