package dev.wiremesh.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BufferPoolTest {
  @Test
  void aReleasedBufferIsHandedOutAgain() {
    var pool = new BufferPool(4);
    byte[] first = pool.acquire(1500);
    pool.release(first);
    assertThat(pool.acquire(100)).isSameAs(first);
    assertThat(pool.available()).isZero();
  }

  @Test
  void anEmptyPoolMakesNewBuffersOfTheStandardSize() {
    var pool = new BufferPool(4);
    byte[] a = pool.acquire(10);
    byte[] b = pool.acquire(BufferPool.BUFFER_SIZE);
    assertThat(a).hasSize(BufferPool.BUFFER_SIZE).isNotSameAs(b);
    assertThat(b).hasSize(BufferPool.BUFFER_SIZE);
  }

  @Test
  void aLengthBeyondTheStandardSizeGetsItsOwnArrayWhichIsNotKept() {
    var pool = new BufferPool(4);
    byte[] big = pool.acquire(BufferPool.BUFFER_SIZE + 1);
    assertThat(big).hasSize(BufferPool.BUFFER_SIZE + 1);
    pool.release(big);
    pool.release(new byte[16]);
    assertThat(pool.available()).isZero();
  }

  @Test
  void keepsAtMostItsCapacity() {
    var pool = new BufferPool(2);
    for (int i = 0; i < 5; i++) {
      pool.release(new byte[BufferPool.BUFFER_SIZE]);
    }
    assertThat(pool.available()).isEqualTo(2);
  }
}
