package dev.wiremesh.wireguard.session;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The device's receiver-index table: every handshake in progress and every keypair has a random
 * 32-bit local index, unique on the device, that the peer writes into the {@code receiver} field of
 * the messages it sends back; this table maps the index to its owner (a handshake, then the keypair
 * derived from it under the same index).
 *
 * <p>Indices are drawn from a {@link SecureRandom} so an off-path attacker cannot guess a live one;
 * a drawn index that is already taken is drawn again. Thread-safe: lookups are lock-free reads of a
 * {@link ConcurrentHashMap}, updates are atomic per index.
 *
 * @param <T> the owner type
 */
public final class IndexTable<T> {
  /** Draws before {@link #insertNew} concludes that the random source is broken. */
  static final int MAX_DRAWS = 1024;

  private final ConcurrentHashMap<Integer, T> table = new ConcurrentHashMap<>();
  private final IntSupplier random;

  /** A table drawing indices from a new {@link SecureRandom}. */
  public IndexTable() {
    this(new SecureRandom()::nextInt);
  }

  /** A table drawing indices from {@code random}; tests inject one to force collisions. */
  public IndexTable(IntSupplier random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Registers {@code owner} under a fresh random index, unique in this table.
   *
   * @return the index
   * @throws IllegalStateException if {@value #MAX_DRAWS} draws in a row were all taken, which only
   *     a broken random source or a table of billions of entries explains
   */
  public int insertNew(T owner) {
    Objects.requireNonNull(owner, "owner");
    for (int draw = 0; draw < MAX_DRAWS; draw++) {
      int index = random.getAsInt();
      if (table.putIfAbsent(index, owner) == null) {
        return index;
      }
    }
    throw new IllegalStateException(
        "no free receiver index after " + MAX_DRAWS + " random draws (" + table.size() + " taken)");
  }

  /**
   * Replaces the owner of {@code index}, if it is still {@code expected}, by {@code replacement}: a
   * completed handshake hands its index to the keypair it derived.
   *
   * @return true if replaced; false if the index is free or owned by another object
   */
  public boolean swap(int index, T expected, T replacement) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(replacement, "replacement");
    return table.replace(index, expected, replacement);
  }

  /** The owner of {@code index}, or null if the index is free. */
  public T lookup(int index) {
    return table.get(index);
  }

  /**
   * Frees {@code index} if {@code owner} still owns it (an owner that lost its index to a newer one
   * must not free the newer one's).
   *
   * @return true if removed
   */
  public boolean delete(int index, T owner) {
    return table.remove(index, owner);
  }

  /** Entries in the table. */
  public int size() {
    return table.size();
  }
}
