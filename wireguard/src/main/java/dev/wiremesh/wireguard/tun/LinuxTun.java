package dev.wiremesh.wireguard.tun;

import static dev.wiremesh.wireguard.tun.Libc.unexpected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wiremesh.wireguard.offload.Offload;
import dev.wiremesh.wireguard.offload.Offloads;
import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 *
 * <p>Each offload degrades on its own when the kernel refuses it or the user disables it ({@link
 * Offloads}): without TCP segmentation offload the kernel hands over plain packets behind the
 * header and writes are not merged; without the virtio header packets cross the descriptor bare.
 */
public final class LinuxTun implements TunDevice {
  private static final String CLONE_DEVICE = "/dev/net/tun";
  private static final int BATCH_SIZE = 128;

  private final String name;
  private final int tunFd;
  private final int wakeFd;

  /** Whether packets cross the descriptor behind a virtio header ({@code IFF_VNET_HDR}). */
  private final boolean vnetHdr;

  /** Whether the kernel accepted TCP segmentation offload, so writes may merge segments. */
  private final boolean tso;

  private final Offloads offloads;
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

  private LinuxTun(
      String name, int tunFd, int wakeFd, boolean vnetHdr, boolean tso, Offloads offloads) {
    this.name = name;
    this.tunFd = tunFd;
    this.wakeFd = wakeFd;
    this.vnetHdr = vnetHdr;
    this.tso = tso;
    this.offloads = offloads;
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
    return create(name, Offloads.allowingAll());
  }

  /**
   * As {@link #create(String)}, asking only for the offloads {@code offloads} allows and recording
   * there what the kernel accepted.
   */
  public static LinuxTun create(String name, Offloads offloads) throws IOException {
    validateName(name);
    Objects.requireNonNull(offloads, "offloads");
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
      boolean vnetHdr = offloads.allows(Offload.TUN_VNET_HDR);
      int rc = setIff(state, tunFd, ifreq, nameBytes, vnetHdr);
      if (rc < 0 && vnetHdr && Libc.errno(state) == Errno.EINVAL) {
        // A kernel (or a seccomp filter) that refuses the virtio header: plain packets then.
        offloads.negotiated(Offload.TUN_VNET_HDR, false, "EINVAL");
        vnetHdr = false;
        rc = setIff(state, tunFd, ifreq, nameBytes, false);
      }
      if (rc < 0) {
        int e = Libc.errno(state);
        throw new IOException(
            "cannot create TUN interface \"" + name + "\": " + Errno.name(e) + setIffHint(e));
      }
      String actual = ifreq.getString(0);
      boolean tso = false;
      if (vnetHdr) {
        offloads.negotiated(Offload.TUN_VNET_HDR, true, "");
        // TCP segmentation and checksum offload: the kernel may hand over TCP super-packets of up
        // to 64 KB with the checksum left to us (read() cuts and completes them). A kernel that
        // refuses just hands over plain packets, still behind a virtio header.
        if (offloads.allows(Offload.TUN_TSO)) {
          int offloadRc =
              (int)
                  Libc.IOCTL_LONG.invokeExact(
                      state,
                      tunFd,
                      Libc.TUNSETOFFLOAD,
                      Libc.TUN_F_CSUM | Libc.TUN_F_TSO4 | Libc.TUN_F_TSO6);
          tso = offloadRc == 0;
          offloads.negotiated(
              Offload.TUN_TSO, tso, tso ? "csum, tso4, tso6" : Errno.name(Libc.errno(state)));
        }
      } else if (offloads.allows(Offload.TUN_TSO)) {
        offloads.negotiated(Offload.TUN_TSO, false, "needs tun-vnet-hdr");
      }
      wakeFd = (int) Libc.EVENTFD.invokeExact(state, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
      if (wakeFd < 0) {
        throw new IOException("cannot create eventfd: " + Errno.name(Libc.errno(state)));
      }
      return new LinuxTun(actual, tunFd, wakeFd, vnetHdr, tso, offloads);
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(wakeFd);
      closeQuietly(tunFd);
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code TUNSETIFF} for a TUN without packet information, with or without the virtio header. */
  private static int setIff(
      MemorySegment state, int fd, MemorySegment ifreq, byte[] nameBytes, boolean vnetHdr)
      throws Throwable {
    ifreq.fill((byte) 0);
    MemorySegment.copy(nameBytes, 0, ifreq, JAVA_BYTE, 0, nameBytes.length);
    short flags = (short) (Libc.IFF_TUN | Libc.IFF_NO_PI | (vnetHdr ? Libc.IFF_VNET_HDR : 0));
    ifreq.set(JAVA_SHORT, Libc.IFREQ_UNION, flags);
    return (int) Libc.IOCTL.invokeExact(state, fd, Libc.TUNSETIFF, ifreq);
  }

  /** The offloads this interface asked for and what the kernel answered. */
  public Offloads offloads() {
    return offloads;
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
    // Without the virtio header the packet goes behind an all-zero one (a plain packet).
    int at = vnetHdr ? 0 : TcpSegmenter.HEADER_SIZE;
    long n = readOnce(superPacket, at, superPacket.length - at);
    while (n < 0) {
      int e = (int) -n;
      if (e == Errno.EAGAIN && wait) {
        awaitReady(Libc.POLLIN);
      } else if (e == Errno.EAGAIN || e == Errno.EINTR) {
        return false;
      } else {
        throw failure("read", e); // the packets read so far are lost with the interface
      }
      n = readOnce(superPacket, at, superPacket.length - at);
    }
    if (!vnetHdr) {
      Arrays.fill(superPacket, 0, TcpSegmenter.HEADER_SIZE, (byte) 0);
    }
    segmenter.reset(superPacket, at + (int) n);
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
    enter();
    try {
      writePacket(buf, off, len, out);
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
      if (!tso) {
        for (int i = 0; i < count; i++) {
          writePacket(bufs[i], offset, sizes[i], out);
        }
        return count;
      }
      for (int i = 0; i < count; ) {
        long merged = TcpCoalescer.coalesce(bufs, sizes, offset, i, count, out);
        writeFully(out, 0, TcpCoalescer.length(merged));
        i += TcpCoalescer.taken(merged);
      }
      return count;
    } finally {
      inUse.readLock().unlock();
    }
  }

  /**
   * Writes one plain packet: behind an all-zero virtio header copied into {@code out}, or as it is
   * without the header. The caller holds {@link #inUse}.
   */
  private void writePacket(byte[] buf, int off, int len, byte[] out) throws IOException {
    if (!vnetHdr) {
      writeFully(buf, off, len);
      return;
    }
    System.arraycopy(buf, off, out, TcpSegmenter.HEADER_SIZE, len);
    writeFully(out, 0, TcpSegmenter.HEADER_SIZE + len);
  }

  /** Writes {@code buf[off, off + len)} in one call; the caller holds {@link #inUse}. */
  private void writeFully(byte[] buf, int off, int len) throws IOException {
    try {
      var state = Libc.errnoState();
      var segment = MemorySegment.ofArray(buf).asSlice(off, len);
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
