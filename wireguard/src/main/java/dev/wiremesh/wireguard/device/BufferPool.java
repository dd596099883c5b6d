package dev.wiremesh.wireguard.device;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Packet buffers handed from thread to thread by ownership instead of copied: the TUN reader and
 * the UDP receivers take one per packet, and whoever finishes with the packet (the thread that sent
 * the datagram or wrote the packet to the TUN) gives it back. Buffers are all {@link #BUFFER_SIZE}
 * bytes: a transport message for an MTU up to 2000 fits one. A buffer that is not given back (a
 * dropped packet) is simply collected; the pool makes a new one when it runs dry, and keeps at most
 * its capacity of free buffers.
 */
final class BufferPool {
  /** Room for the 16-byte header, an MTU of 2000 padded to 16, and the 16-byte tag. */
  static final int BUFFER_SIZE = 2048;

  private final ArrayBlockingQueue<byte[]> free;

  BufferPool(int capacity) {
    free = new ArrayBlockingQueue<>(capacity);
  }

  /** A buffer of at least {@code length} bytes: a pooled one if that fits, else a new array. */
  byte[] acquire(int length) {
    if (length > BUFFER_SIZE) {
      return new byte[length];
    }
    byte[] buf = free.poll();
    return buf != null ? buf : new byte[BUFFER_SIZE];
  }

  /** Takes {@code buf} back; the caller must not touch it afterwards. Other sizes are ignored. */
  void release(byte[] buf) {
    if (buf.length == BUFFER_SIZE) {
      free.offer(buf);
    }
  }

  /** Free buffers held (for tests). */
  int available() {
    return free.size();
  }
}
