package dev.wiremesh.wireguard.tun;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link TunDevice} for tests of the data path, with two queues: packets the test
 * {@linkplain #inject injects} as if the kernel routed them into the interface (the device reads
 * them), and packets the device {@linkplain #write wrote} (the test {@linkplain #takeWritten takes}
 * them). {@link #delete()} simulates {@code ip link del}. Follows the {@link TunDevice} contract,
 * including batch reads of everything already queued.
 */
public final class MemoryTun implements TunDevice {
  /** Wakes readers on close or delete; compared by identity. */
  private static final byte[] WAKE = new byte[0];

  private final String name;
  private final int batchSize;
  private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<byte[]> written = new LinkedBlockingQueue<>();
  private volatile int mtu;
  private volatile boolean closed;
  private volatile boolean deleted;

  /** A device of that name with MTU 1420 and batches of up to 1 packet. */
  public MemoryTun(String name) {
    this(name, 1420, 1);
  }

  /** A device of that name and MTU that reads up to {@code batchSize} packets per batch call. */
  public MemoryTun(String name, int mtu, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize " + batchSize + " is not valid: at least 1");
    }
    this.name = Objects.requireNonNull(name, "name");
    this.mtu = mtu;
    this.batchSize = batchSize;
  }

  /** The "kernel" routes {@code packet} into the interface: the next read returns a copy of it. */
  public void inject(byte[] packet) {
    inbound.add(packet.clone());
  }

  /**
   * The oldest packet the device wrote, waiting up to {@code timeout}; null if none arrived.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public byte[] takeWritten(Duration timeout) throws InterruptedException {
    return written.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** How many written packets wait to be taken. */
  public int writtenCount() {
    return written.size();
  }

  /** Simulates {@code ip link set mtu}. */
  public void setMtu(int mtu) {
    this.mtu = mtu;
  }

  /** Simulates {@code ip link del}: reads and writes now throw {@link TunGoneException}. */
  public void delete() {
    deleted = true;
    inbound.add(WAKE);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() throws IOException {
    ensureUsable("mtu");
    return mtu;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    byte[] packet = take();
    int n = Math.min(len, packet.length);
    System.arraycopy(packet, 0, buf, off, n);
    return n;
  }

  @Override
  public int read(byte[][] bufs, int[] sizes, int offset) throws IOException {
    int max = Math.min(Math.min(bufs.length, sizes.length), batchSize);
    int count = 0;
    byte[] packet = take();
    while (true) {
      int n = Math.min(bufs[count].length - offset, packet.length);
      System.arraycopy(packet, 0, bufs[count], offset, n);
      sizes[count++] = n;
      if (count == max) {
        return count;
      }
      packet = inbound.peek();
      if (packet == null || packet == WAKE) {
        return count;
      }
      packet = inbound.poll();
    }
  }

  private byte[] take() throws IOException {
    ensureUsable("read");
    try {
      byte[] packet = inbound.take();
      if (packet == WAKE) {
        inbound.add(WAKE); // keep waking any other reader
        ensureUsable("read");
        throw new AsynchronousCloseException();
      }
      return packet;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading " + name);
    }
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    ensureUsable("write");
    written.add(Arrays.copyOfRange(buf, off, off + len));
  }

  private void ensureUsable(String operation) throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (deleted) {
      throw new TunGoneException(name, operation + ": deleted");
    }
  }

  @Override
  public void close() {
    closed = true;
    inbound.add(WAKE);
  }

  @Override
  public String toString() {
    return "MemoryTun[" + name + "]";
  }
}
