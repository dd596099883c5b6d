package dev.wiremesh.wireguard.tun;

import static dev.wiremesh.wireguard.tun.Libc.unexpected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Linux TUN interface ({@code /dev/net/tun}, {@code IFF_TUN | IFF_NO_PI | IFF_VNET_HDR}) driven
 * through the FFM API, with TCP segmentation and checksum offload: every packet crosses the
 * descriptor behind a {@code virtio_net_hdr}, and the kernel may hand over a TCP super-packet of up
 * to 64 KB, which {@code read} cuts into MTU-sized segments ({@link TcpSegmenter}). Callers see
 * plain IP packets either way.
 *
 * <p>The descriptor is opened {@code O_NONBLOCK}: a reader waits in {@code poll(2)} on the TUN
 * descriptor and on an {@code eventfd} that {@link #close()} signals. Closing a descriptor from
 * another thread does not wake a thread blocked in {@code read(2)} on Linux, so the eventfd is what
 * makes {@code close} unblock a reader; the descriptors themselves are closed only once no call is
 * using them, so a number the kernel reuses is never read by mistake.
 *
 * <p>When the interface is deleted, the kernel detaches the descriptor: {@code poll} reports {@code
 * POLLERR} and {@code read}/{@code write} fail with {@code EBADFD}, which surfaces as {@link
 * TunGoneException}.
 *
 * <p>{@code read} and {@code write} are critical downcalls into heap arrays: the reader's buffer
 * for one super-packet, and each writer thread's buffer behind its virtio header. No native memory
 * is allocated per packet.
 */
public final class LinuxTun implements TunDevice {
  private static final String CLONE_DEVICE = "/dev/net/tun";
  private static final int BATCH_SIZE = 128;

  private final String name;
  private final int tunFd;
  private final int wakeFd;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Calls hold the read side; close takes the write side before it closes the descriptors. */
  private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();

  /** The reader's buffer: a virtio header and the largest packet; only the reader touches it. */
  private final byte[] superPacket = new byte[TcpSegmenter.HEADER_SIZE + 65535];

  /** The segments of the last super-packet not yet returned; only the reader touches it. */
  private final TcpSegmenter segmenter = new TcpSegmenter();

  /** Each writer's buffer: an all-zero virtio header (a plain packet), then the packet. */
  private static final ThreadLocal<byte[]> WRITE_BUFFER =
      ThreadLocal.withInitial(() -> new byte[TcpSegmenter.HEADER_SIZE + 65535]);

  /** Two {@code struct pollfd} per thread: the TUN descriptor and the wake-up eventfd. */
  private static final ThreadLocal<MemorySegment> POLLFDS =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(2L * Libc.POLLFD_SIZE, 8));

  private LinuxTun(String name, int tunFd, int wakeFd) {
    this.name = name;
    this.tunFd = tunFd;
    this.wakeFd = wakeFd;
  }

  /**
   * Creates (or attaches to a persistent) TUN interface named {@code name}. The interface is down
   * and has no address; the caller configures it. It disappears when this device is closed, unless
   * it was made persistent by someone else.
   *
   * @param name 1-15 bytes without {@code /}, {@code :} or whitespace; a {@code %d} in it lets the
   *     kernel pick a free number, {@link #name()} then tells which
   * @throws IllegalArgumentException if the name is not valid
   * @throws IOException with one line naming the cause and errno: no {@code /dev/net/tun} (ENOENT),
   *     not root (EPERM/EACCES), name in use (EBUSY) or taken by another kind of interface (EINVAL)
   */
  public static LinuxTun create(String name) throws IOException {
    validateName(name);
    int tunFd = -1;
    int wakeFd = -1;
    try (var arena = Arena.ofConfined()) {
      var state = Libc.errnoState();
      var path = arena.allocateFrom(CLONE_DEVICE);
      tunFd =
          (int) Libc.OPEN.invokeExact(state, path, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
      if (tunFd < 0) {
        int e = Libc.errno(state);
        throw new IOException("cannot open " + CLONE_DEVICE + ": " + Errno.name(e) + openHint(e));
      }
      var ifreq = arena.allocate(Libc.IFREQ_SIZE);
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      MemorySegment.copy(nameBytes, 0, ifreq, JAVA_BYTE, 0, nameBytes.length);
      ifreq.set(
          JAVA_SHORT,
          Libc.IFREQ_UNION,
          (short) (Libc.IFF_TUN | Libc.IFF_NO_PI | Libc.IFF_VNET_HDR));
      int rc = (int) Libc.IOCTL.invokeExact(state, tunFd, Libc.TUNSETIFF, ifreq);
      if (rc < 0) {
        int e = Libc.errno(state);
        throw new IOException(
            "cannot create TUN interface \"" + name + "\": " + Errno.name(e) + setIffHint(e));
      }
      String actual = ifreq.getString(0);
      // TCP segmentation and checksum offload: the kernel may hand over TCP super-packets of up to
      // 64 KB with the checksum left to us (read() cuts and completes them). A kernel that refuses
      // just hands over plain packets, still behind a virtio header.
      int ignored =
          (int)
              Libc.IOCTL_LONG.invokeExact(
                  state,
                  tunFd,
                  Libc.TUNSETOFFLOAD,
                  Libc.TUN_F_CSUM | Libc.TUN_F_TSO4 | Libc.TUN_F_TSO6);
      wakeFd = (int) Libc.EVENTFD.invokeExact(state, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
      if (wakeFd < 0) {
        throw new IOException("cannot create eventfd: " + Errno.name(Libc.errno(state)));
      }
      return new LinuxTun(actual, tunFd, wakeFd);
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(wakeFd);
      closeQuietly(tunFd);
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * Checks a name the way the kernel's {@code dev_valid_name} does, so the user gets a message that
   * says what is valid instead of a bare EINVAL.
   */
  static void validateName(String name) {
    Objects.requireNonNull(name, "name");
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    boolean valid =
        bytes >= 1
            && bytes < Libc.IFNAMSIZ
            && !name.equals(".")
            && !name.equals("..")
            && name.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c));
    if (!valid) {
      throw new IllegalArgumentException(
          "interface name \""
              + name
              + "\" is not valid: use 1-15 bytes without '/', ':' or whitespace, and not '.' or '..'");
    }
  }

  private static String openHint(int errno) {
    return switch (errno) {
      case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO ->
          " (this system has no TUN device: load the tun module, or give the container /dev/net/tun)";
      case Errno.EPERM, Errno.EACCES -> " (needs root or CAP_NET_ADMIN)";
      default -> "";
    };
  }

  private static String setIffHint(int errno) {
    return switch (errno) {
      case Errno.EPERM, Errno.EACCES -> " (needs root or CAP_NET_ADMIN)";
      case Errno.EBUSY -> " (a TUN interface of that name exists and another process holds it)";
      case Errno.EINVAL ->
          " (an interface of that name exists and is not a TUN, or the name is invalid)";
      default -> "";
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() throws IOException {
    ensureOpen();
    try {
      return NetworkInterfaces.mtu(name);
    } catch (NetworkInterfaces.IoctlException e) {
      throw e.errno() == Errno.ENODEV ? new TunGoneException(name, "ioctl: ENODEV") : e;
    }
  }

  /**
   * Sets the interface's MTU (wireguard-go sets 1420 on the interfaces it creates).
   *
   * @throws IOException naming the errno, e.g. EINVAL for an MTU outside 68-65535
   */
  public void setMtu(int mtu) throws IOException {
    ensureOpen();
    try {
      NetworkInterfaces.setMtu(name, mtu);
    } catch (NetworkInterfaces.IoctlException e) {
      throw e.errno() == Errno.ENODEV ? new TunGoneException(name, "ioctl: ENODEV") : e;
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (closed.get()) {
      throw new ClosedChannelException();
    }
  }

  /**
   * {@value #BATCH_SIZE}, as wireguard-go's {@code IdealBatchSize}: a batch read returns what the
   * kernel has queued, up to this many, after the first packet. One {@code read(2)} brings a TCP
   * super-packet of up to 64 KB, which fills many of the slots.
   */
  @Override
  public int batchSize() {
    return BATCH_SIZE;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    enter();
    try {
      while (!segmenter.hasNext()) {
        readSuperPacket(true);
      }
      return nextPacket(buf, off, len);
    } finally {
      inUse.readLock().unlock();
    }
  }

  @Override
  public int read(byte[][] bufs, int[] sizes, int offset) throws IOException {
    int max = Math.min(Math.min(bufs.length, sizes.length), BATCH_SIZE);
    enter();
    try {
      int count = 0;
      while (count < max) {
        if (segmenter.hasNext()) {
          sizes[count] = nextPacket(bufs[count], offset, bufs[count].length - offset);
          count++;
        } else if (!readSuperPacket(count == 0)) {
          break; // nothing more queued
        }
      }
      return count;
    } finally {
      inUse.readLock().unlock();
    }
  }

  /**
   * Reads one packet or super-packet into {@link #superPacket} for {@link #segmenter}, waiting for
   * one if {@code wait}; false if none was queued. A packet the segmenter cannot take is dropped.
   */
  private boolean readSuperPacket(boolean wait) throws IOException {
    long n = readOnce(superPacket, 0, superPacket.length);
    while (n < 0) {
      int e = (int) -n;
      if (e == Errno.EAGAIN && wait) {
        awaitReady(Libc.POLLIN);
      } else if (e == Errno.EAGAIN || e == Errno.EINTR) {
        return false;
      } else {
        throw failure("read", e); // the packets read so far are lost with the interface
      }
      n = readOnce(superPacket, 0, superPacket.length);
    }
    segmenter.reset(superPacket, (int) n);
    return true;
  }

  /** Writes the segmenter's next packet at {@code buf[off, off + len)}, truncated to len. */
  private int nextPacket(byte[] buf, int off, int len) {
    int length = segmenter.nextLength();
    if (length <= len) {
      return segmenter.next(buf, off);
    }
    byte[] whole = new byte[length];
    segmenter.next(whole, 0);
    System.arraycopy(whole, 0, buf, off, len);
    return len;
  }

  /** One non-blocking {@code read(2)}: the packet's length, or minus the errno. */
  private long readOnce(byte[] buf, int off, int len) {
    Objects.checkFromIndexSize(off, len, buf.length);
    try {
      var state = Libc.errnoState();
      long n =
          (long)
              Libc.READ.invokeExact(
                  state, tunFd, MemorySegment.ofArray(buf).asSlice(off, len), (long) len);
      return n >= 0 ? n : -Libc.errno(state);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, buf.length);
    byte[] out = WRITE_BUFFER.get();
    if (len > out.length - TcpSegmenter.HEADER_SIZE) {
      throw new IOException(
          "write on TUN interface \"" + name + "\" failed: a packet of " + len + " bytes");
    }
    System.arraycopy(buf, off, out, TcpSegmenter.HEADER_SIZE, len);
    enter();
    try {
      writeFully(out, TcpSegmenter.HEADER_SIZE + len);
    } finally {
      inUse.readLock().unlock();
    }
  }

  /**
   * Writes the packets, consecutive segments of one TCP flow merged into super-packets ({@link
   * TcpCoalescer}), so the kernel's TCP takes dozens of segments in one.
   */
  @Override
  public int write(byte[][] bufs, int[] sizes, int offset, int count) throws IOException {
    byte[] out = WRITE_BUFFER.get();
    enter();
    try {
      for (int i = 0; i < count; ) {
        long merged = TcpCoalescer.coalesce(bufs, sizes, offset, i, count, out);
        writeFully(out, TcpCoalescer.length(merged));
        i += TcpCoalescer.taken(merged);
      }
      return count;
    } finally {
      inUse.readLock().unlock();
    }
  }

  /** Writes {@code out[0, len)} (a virtio header and a packet); the caller holds {@link #inUse}. */
  private void writeFully(byte[] out, int len) throws IOException {
    try {
      var state = Libc.errnoState();
      var segment = MemorySegment.ofArray(out).asSlice(0, len);
      while (true) {
        long n = (long) Libc.WRITE.invokeExact(state, tunFd, segment, (long) len);
        if (n >= 0) {
          return;
        }
        int e = Libc.errno(state);
        if (e == Errno.EAGAIN) {
          awaitReady(Libc.POLLOUT);
        } else if (e != Errno.EINTR) {
          throw failure("write", e);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * Waits in {@code poll(2)} until the TUN descriptor is ready for {@code events}, reports an error
   * condition (the caller's next read or write then returns the errno), or close is signalled.
   */
  private void awaitReady(short events) throws IOException {
    var state = Libc.errnoState();
    var pollfds = POLLFDS.get();
    while (true) {
      Libc.pollfd(pollfds, 0, tunFd, events);
      Libc.pollfd(pollfds, 1, wakeFd, Libc.POLLIN);
      int rc = poll(state, pollfds);
      if (rc < 0) {
        int e = Libc.errno(state);
        if (e == Errno.EINTR) {
          continue;
        }
        throw new IOException("poll on TUN interface \"" + name + "\": " + Errno.name(e));
      }
      if (closed.get() || Libc.revents(pollfds, 1) != 0) {
        throw new AsynchronousCloseException();
      }
      short revents = Libc.revents(pollfds, 0);
      if ((revents & Libc.POLLNVAL) != 0) {
        throw new TunGoneException(name, "poll: POLLNVAL");
      }
      if (revents != 0) {
        return;
      }
    }
  }

  private static int poll(MemorySegment state, MemorySegment pollfds) {
    try {
      return (int) Libc.POLL.invokeExact(state, pollfds, 2L, -1);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private IOException failure(String operation, int errno) {
    if (errno == Errno.EBADFD) {
      return new TunGoneException(name, operation + ": EBADFD");
    }
    return new IOException(
        operation + " on TUN interface \"" + name + "\" failed: " + Errno.name(errno));
  }

  /** Takes the shared side of {@link #inUse}; the caller releases it in a finally block. */
  private void enter() throws ClosedChannelException {
    inUse.readLock().lock();
    if (closed.get()) {
      inUse.readLock().unlock();
      throw new ClosedChannelException();
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Wake every poller first; the eventfd stays readable, so later polls return at once too.
    try (var arena = Arena.ofConfined()) {
      var one = arena.allocate(JAVA_LONG);
      one.set(JAVA_LONG, 0, 1L);
      long ignored = (long) Libc.WRITE.invokeExact(Libc.errnoState(), wakeFd, one, 8L);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    inUse.writeLock().lock();
    try {
      closeQuietly(tunFd);
      closeQuietly(wakeFd);
    } finally {
      inUse.writeLock().unlock();
    }
  }

  private static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      int ignored = (int) Libc.CLOSE.invokeExact(Libc.errnoState(), fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  @Override
  public String toString() {
    return "LinuxTun[" + name + "]";
  }
}
