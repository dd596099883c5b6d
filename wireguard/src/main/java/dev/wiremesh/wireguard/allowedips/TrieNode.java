package dev.wiremesh.wireguard.allowedips;

import java.util.List;
import java.util.Objects;

/**
 * One immutable node of a path-compressed binary trie over addresses held as two left-aligned
 * 64-bit words ({@code hi} the first 64 bits, {@code lo} the rest; an IPv4 address is the top 32
 * bits of {@code hi}). A node is a prefix of {@code length} bits; it holds a peer, or none when it
 * only joins two subtries that diverge after its prefix (a "glue" node). Children extend the
 * prefix: {@code zero} where bit {@code length} is 0, {@code one} where it is 1. Updates return a
 * new root and share every untouched node, so a reader holding an old root is never disturbed.
 *
 * <p>Invariant after every update: a glue node has two children (else it is spliced out), and no
 * node lacks both a peer and children.
 */
record TrieNode<P>(long hi, long lo, int length, P peer, TrieNode<P> zero, TrieNode<P> one) {

  static long maskHi(long hi, int length) {
    return length >= 64 ? hi : length == 0 ? 0 : hi & (-1L << (64 - length));
  }

  static long maskLo(long lo, int length) {
    return length <= 64 ? 0 : length == 128 ? lo : lo & (-1L << (128 - length));
  }

  /** Bit {@code index} (0 the most significant) of the 128-bit address. */
  static int bit(long hi, long lo, int index) {
    return (int) (index < 64 ? hi >>> (63 - index) : lo >>> (127 - index)) & 1;
  }

  /** How many leading bits two addresses share, 0-128. */
  static int commonBits(long hi1, long lo1, long hi2, long lo2) {
    long x = hi1 ^ hi2;
    return x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(lo1 ^ lo2);
  }

  private boolean covers(long h, long l) {
    return maskHi(h, length) == hi && maskLo(l, length) == lo;
  }

  private TrieNode<P> child(int b) {
    return b == 0 ? zero : one;
  }

  private TrieNode<P> withChild(int b, TrieNode<P> c) {
    return b == 0
        ? new TrieNode<>(hi, lo, length, peer, c, one)
        : new TrieNode<>(hi, lo, length, peer, zero, c);
  }

  private TrieNode<P> withPeer(P p) {
    return new TrieNode<>(hi, lo, length, p, zero, one);
  }

  /** The peer of the longest prefix in {@code node}'s trie that holds the address, or null. */
  static <P> P lookup(TrieNode<P> node, long h, long l, int maxBits) {
    P best = null;
    while (node != null && node.covers(h, l)) {
      if (node.peer != null) {
        best = node.peer;
      }
      if (node.length == maxBits) {
        break;
      }
      node = node.child(bit(h, l, node.length));
    }
    return best;
  }

  /** The trie with the (masked) prefix h/l/length routed to {@code peer}. */
  static <P> TrieNode<P> insert(TrieNode<P> node, long h, long l, int length, P peer) {
    if (node == null) {
      return new TrieNode<>(h, l, length, peer, null, null);
    }
    int common = Math.min(commonBits(node.hi, node.lo, h, l), Math.min(node.length, length));
    if (common == node.length && common == length) {
      return node.withPeer(peer); // the same prefix: (re)assign it
    }
    if (common == node.length) {
      // the new prefix lies below this node
      int b = bit(h, l, node.length);
      return node.withChild(b, insert(node.child(b), h, l, length, peer));
    }
    if (common == length) {
      // the new prefix lies above this node: it becomes its parent
      TrieNode<P> parent = new TrieNode<>(h, l, length, peer, null, null);
      return parent.withChild(bit(node.hi, node.lo, length), node);
    }
    // the two diverge after `common` bits: join them under a glue node
    TrieNode<P> leaf = new TrieNode<>(h, l, length, peer, null, null);
    TrieNode<P> glue =
        new TrieNode<>(maskHi(h, common), maskLo(l, common), common, null, null, null);
    return glue.withChild(bit(h, l, common), leaf).withChild(bit(node.hi, node.lo, common), node);
  }

  /**
   * The trie without the (masked) prefix h/l/length if {@code peer} holds it; else {@code node}.
   */
  static <P> TrieNode<P> remove(TrieNode<P> node, long h, long l, int length, P peer) {
    if (node == null || node.length > length || !node.covers(h, l)) {
      return node;
    }
    if (node.length == length) {
      return Objects.equals(node.peer, peer) ? normalize(node.withPeer(null)) : node;
    }
    int b = bit(h, l, node.length);
    TrieNode<P> child = node.child(b);
    TrieNode<P> updated = remove(child, h, l, length, peer);
    return updated == child ? node : normalize(node.withChild(b, updated));
  }

  /** The trie without any prefix of {@code peer}; {@code node} itself if it held none. */
  static <P> TrieNode<P> removePeer(TrieNode<P> node, P peer) {
    if (node == null) {
      return null;
    }
    TrieNode<P> zero = removePeer(node.zero, peer);
    TrieNode<P> one = removePeer(node.one, peer);
    boolean drop = node.peer != null && node.peer.equals(peer);
    if (!drop && zero == node.zero && one == node.one) {
      return node;
    }
    return normalize(
        new TrieNode<>(node.hi, node.lo, node.length, drop ? null : node.peer, zero, one));
  }

  /** Splices out a node that no longer holds a peer and has fewer than two children. */
  private static <P> TrieNode<P> normalize(TrieNode<P> node) {
    if (node.peer != null) {
      return node;
    }
    if (node.zero == null) {
      return node.one;
    }
    if (node.one == null) {
      return node.zero;
    }
    return node;
  }

  /** Appends {@code peer}'s prefixes in address order, shorter first, as {@link IpPrefix}es. */
  static <P> void collect(TrieNode<P> node, P peer, int maxBits, List<IpPrefix> out) {
    if (node == null) {
      return;
    }
    if (node.peer != null && node.peer.equals(peer)) {
      out.add(new IpPrefix(toBytes(node.hi, node.lo, maxBits), node.length));
    }
    collect(node.zero, peer, maxBits, out);
    collect(node.one, peer, maxBits, out);
  }

  private static byte[] toBytes(long h, long l, int maxBits) {
    byte[] a = new byte[maxBits / 8];
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) (i < 8 ? h >>> (56 - 8 * i) : l >>> (56 - 8 * (i - 8)));
    }
    return a;
  }
}
