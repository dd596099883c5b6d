package dev.wiremesh.wireguard.allowedips;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Crypto-key routing (whitepaper §2): the device's table of allowed IPs, mapping prefixes to peers.
 * Outbound, the longest prefix holding a packet's destination names the peer to encrypt it for;
 * inbound, a decrypted packet is accepted only if the longest prefix holding its source belongs to
 * the peer it came from.
 *
 * <p>Two path-compressed binary tries, one per family. A prefix belongs to at most one peer:
 * inserting it for another peer moves it. Prefixes are stored with their host bits cleared.
 *
 * <p>Concurrency: the tries are persistent (immutable nodes); a writer builds a new version that
 * shares every untouched node and publishes it with one volatile write, writers being serialized by
 * a lock. Lookups take no lock, allocate nothing and see one consistent version, so the data plane
 * reads per packet while configuration changes, which are rare, copy at most one path.
 *
 * @param <P> the peer type; peers are compared with {@code equals}
 */
public final class AllowedIps<P> {
  private volatile TrieNode<P> ipv4;
  private volatile TrieNode<P> ipv6;

  /**
   * Routes {@code prefix} (host bits cleared) to {@code peer}, taking it from any peer that held
   * it.
   */
  public synchronized void insert(IpPrefix prefix, P peer) {
    Objects.requireNonNull(peer, "peer");
    Key k = Key.of(prefix);
    if (prefix.isIpv4()) {
      ipv4 = TrieNode.insert(ipv4, k.hi, k.lo, prefix.length(), peer);
    } else {
      ipv6 = TrieNode.insert(ipv6, k.hi, k.lo, prefix.length(), peer);
    }
  }

  /**
   * Removes {@code prefix} (host bits cleared) if {@code peer} holds it.
   *
   * @return true if removed
   */
  public synchronized boolean remove(IpPrefix prefix, P peer) {
    Objects.requireNonNull(peer, "peer"); // null marks a glue node inside the trie
    Key k = Key.of(prefix);
    TrieNode<P> root = prefix.isIpv4() ? ipv4 : ipv6;
    TrieNode<P> updated = TrieNode.remove(root, k.hi, k.lo, prefix.length(), peer);
    if (updated == root) {
      return false;
    }
    if (prefix.isIpv4()) {
      ipv4 = updated;
    } else {
      ipv6 = updated;
    }
    return true;
  }

  /** Removes every prefix {@code peer} holds. */
  public synchronized void removeByPeer(P peer) {
    ipv4 = TrieNode.removePeer(ipv4, peer);
    ipv6 = TrieNode.removePeer(ipv6, peer);
  }

  /** Removes every prefix. */
  public synchronized void clear() {
    ipv4 = null;
    ipv6 = null;
  }

  /**
   * The prefixes {@code peer} holds: IPv4 before IPv6, each family in address order with a shorter
   * prefix before the longer ones inside it. The order is stable, as {@code wg show} needs. Each
   * family is read from one consistent version.
   */
  public List<IpPrefix> entriesForPeer(P peer) {
    List<IpPrefix> out = new ArrayList<>();
    TrieNode.collect(ipv4, peer, 32, out);
    TrieNode.collect(ipv6, peer, 128, out);
    return out;
  }

  /** The peer whose longest prefix holds {@code address} (4 or 16 bytes), or null. */
  public P lookup(byte[] address) {
    if (address.length == 4) {
      return TrieNode.lookup(ipv4, (long) (int) INT.get(address, 0) << 32, 0, 32);
    }
    if (address.length == 16) {
      return TrieNode.lookup(ipv6, (long) LONG.get(address, 0), (long) LONG.get(address, 8), 128);
    }
    throw new IllegalArgumentException(
        "an address has 4 (IPv4) or 16 (IPv6) bytes, got " + address.length);
  }

  /**
   * The peer for the destination of the IP packet that starts at {@code offset} in {@code packet}:
   * outbound routing. Reads the version nibble and the destination in place without allocating.
   * Null if no prefix holds it or the bytes are no IPv4/IPv6 header.
   */
  public P lookupDestination(byte[] packet, int offset) {
    return lookupInHeader(packet, offset, 16, 24);
  }

  /**
   * The peer for the source of the IP packet that starts at {@code offset} in {@code packet}: the
   * inbound check that a decrypted packet's source belongs to the peer that sent it.
   */
  public P lookupSource(byte[] packet, int offset) {
    return lookupInHeader(packet, offset, 12, 8);
  }

  /** As {@link #lookupDestination(byte[], int)}, at absolute index {@code offset} of a buffer. */
  public P lookupDestination(ByteBuffer packet, int offset) {
    return lookupInHeader(packet, offset, 16, 24);
  }

  /** As {@link #lookupSource(byte[], int)}, at absolute index {@code offset} of a buffer. */
  public P lookupSource(ByteBuffer packet, int offset) {
    return lookupInHeader(packet, offset, 12, 8);
  }

  private P lookupInHeader(byte[] p, int offset, int v4Field, int v6Field) {
    if (offset < 0 || offset >= p.length) {
      return null;
    }
    int version = (p[offset] & 0xff) >>> 4;
    if (version == 4 && p.length - offset >= 20) {
      return TrieNode.lookup(ipv4, (long) (int) INT.get(p, offset + v4Field) << 32, 0, 32);
    }
    if (version == 6 && p.length - offset >= 40) {
      int at = offset + v6Field;
      return TrieNode.lookup(ipv6, (long) LONG.get(p, at), (long) LONG.get(p, at + 8), 128);
    }
    return null;
  }

  private P lookupInHeader(ByteBuffer p, int offset, int v4Field, int v6Field) {
    if (offset < 0 || offset >= p.limit()) {
      return null;
    }
    boolean swap = p.order() == ByteOrder.LITTLE_ENDIAN;
    int version = (p.get(offset) & 0xff) >>> 4;
    if (version == 4 && p.limit() - offset >= 20) {
      int a = p.getInt(offset + v4Field);
      return TrieNode.lookup(ipv4, (long) (swap ? Integer.reverseBytes(a) : a) << 32, 0, 32);
    }
    if (version == 6 && p.limit() - offset >= 40) {
      long hi = p.getLong(offset + v6Field);
      long lo = p.getLong(offset + v6Field + 8);
      if (swap) {
        hi = Long.reverseBytes(hi);
        lo = Long.reverseBytes(lo);
      }
      return TrieNode.lookup(ipv6, hi, lo, 128);
    }
    return null;
  }

  private static final java.lang.invoke.VarHandle INT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** A prefix as two left-aligned 64-bit words, host bits cleared. */
  private record Key(long hi, long lo) {
    static Key of(IpPrefix prefix) {
      byte[] a = prefix.address();
      long hi;
      long lo = 0;
      if (a.length == 4) {
        hi = (long) (int) INT.get(a, 0) << 32;
      } else {
        hi = (long) LONG.get(a, 0);
        lo = (long) LONG.get(a, 8);
      }
      return new Key(TrieNode.maskHi(hi, prefix.length()), TrieNode.maskLo(lo, prefix.length()));
    }
  }
}
