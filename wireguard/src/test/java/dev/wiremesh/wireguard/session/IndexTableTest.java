package dev.wiremesh.wireguard.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class IndexTableTest {

  /** Replays a fixed sequence of "random" values. */
  private static IntSupplier sequence(int... values) {
    int[] next = {0};
    return () -> values[next[0]++ % values.length];
  }

  @Test
  void insertLookupSwapDelete() {
    IndexTable<String> table = new IndexTable<>();
    int index = table.insertNew("handshake");
    assertThat(table.lookup(index)).isEqualTo("handshake");

    assertThat(table.swap(index, "other", "keypair")).isFalse();
    assertThat(table.swap(index, "handshake", "keypair")).isTrue();
    assertThat(table.lookup(index)).isEqualTo("keypair");

    assertThat(table.delete(index, "handshake")).as("a stale owner frees nothing").isFalse();
    assertThat(table.delete(index, "keypair")).isTrue();
    assertThat(table.lookup(index)).isNull();
    assertThat(table.size()).isZero();
  }

  @Test
  void swapOfAFreeIndexDoesNotInsert() {
    IndexTable<String> table = new IndexTable<>(sequence(7));
    assertThat(table.swap(7, "a", "b")).isFalse();
    assertThat(table.lookup(7)).isNull();
  }

  @Test
  void aTakenIndexIsDrawnAgain() {
    IndexTable<String> table = new IndexTable<>(sequence(42, 42, 42, -1));
    assertThat(table.insertNew("first")).isEqualTo(42);
    assertThat(table.insertNew("second")).isEqualTo(-1);
    assertThat(table.lookup(42)).isEqualTo("first");
    assertThat(table.lookup(-1)).isEqualTo("second");
  }

  @Test
  void aRandomSourceThatOnlyCollidesIsReported() {
    IndexTable<String> table = new IndexTable<>(sequence(5));
    table.insertNew("first");
    assertThatThrownBy(() -> table.insertNew("second"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no free receiver index");
  }

  @Test
  void indicesStayUniqueUnderManyInserts() {
    // a random source with only 2^14 values forces thousands of collisions
    java.util.Random narrow = new java.util.Random(1);
    IndexTable<Integer> table = new IndexTable<>(() -> narrow.nextInt(1 << 14));
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 15_000; i++) {
      int index = table.insertNew(i);
      assertThat(seen.add(index)).as("index %d handed out twice", index).isTrue();
      assertThat(table.lookup(index)).isEqualTo(i);
    }
    assertThat(table.size()).isEqualTo(15_000);
  }

  @Test
  void concurrentInsertsNeverShareAnIndex() throws Exception {
    java.util.Random narrow = new java.util.Random(2);
    IndexTable<Long> table = new IndexTable<>(() -> narrow.nextInt(1 << 16));
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long base = t * 1_000_000L;
        results.add(
            pool.submit(
                () -> {
                  boolean unique = true;
                  for (int i = 0; i < 5_000; i++) {
                    unique &= seen.add(table.insertNew(base + i));
                  }
                  return unique;
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    }
    assertThat(table.size()).isEqualTo(20_000);
  }
}
