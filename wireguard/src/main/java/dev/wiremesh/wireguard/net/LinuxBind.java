package dev.wiremesh.wireguard.net;

import static dev.wiremesh.wireguard.net.Syscalls.unexpected;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wiremesh.wireguard.offload.Offload;
import dev.wiremesh.wireguard.offload.Offloads;
import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.ToIntFunction;

/**
 * A {@link Bind} on Linux through the FFM API that behaves like wireguard-go's: two sockets on the
 * same port, udp4 and udp6 ({@code IPV6_V6ONLY}), with sticky sources — every received {@link
 * Endpoint} carries the local address the peer wrote to ({@code IP_PKTINFO}/{@code IPV6_PKTINFO}),
 * and a send to an endpoint with a source leaves from that address, so on a host with several
 * addresses the peer sees its replies come from the address it used. A source the host no longer
 * has is dropped for that send, as wireguard-go does; the device should also clear sources ({@code
 * endpoint.withSource(null)}) when the host's addresses change, as wireguard-go's {@code
 * clearSrcOnTx} does, to spare the failing first attempt.
 *
 * <p>Sockets are non-blocking; receivers wait in {@code poll(2)} with an {@code eventfd} that
 * {@link #close()} signals. No native memory is allocated per datagram: each receiver and each
 * sending thread owns its {@link MessageBuffers}.
 *
 * <p>Batches use segmentation offload rather than {@code sendmmsg}/{@code recvmmsg}: a run of
 * equal-size datagrams to one endpoint leaves in one {@code sendmsg} with {@code UDP_SEGMENT}
 * ({@link #segmentRun}), and the sockets set {@code UDP_GRO}, so one {@code recvmsg} may bring a
 * run that the receiver splits. The kernel carries such a run through the stack (and a veth) as one
 * packet, which {@code sendmmsg} would not. Either offload can be disabled and either may be
 * refused by the kernel; what was negotiated, and a later refusal, are recorded in {@link
 * Offloads}.
 */
public final class LinuxBind implements Bind {
  private static final int PORT_ATTEMPTS = 100;

  /** As wireguard-go's {@code IdealBatchSize}. */
  private static final int BATCH_SIZE = 128;

  private static final ThreadLocal<MessageBuffers> SEND_BUFFERS =
      ThreadLocal.withInitial(MessageBuffers::new);

  private final Offloads offloads;
  private volatile Opening current;
  private int mark;

  /** A bind that asks for every offload. */
  public LinuxBind() {
    this(Offloads.allowingAll());
  }

  /** A bind that asks only for the offloads {@code offloads} allows, and records the answers. */
  public LinuxBind(Offloads offloads) {
    this.offloads = Objects.requireNonNull(offloads, "offloads");
  }

  /** The offloads this bind asked for and what the kernel answered. */
  public Offloads offloads() {
    return offloads;
  }

  @Override
  public synchronized Opened open(int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen_port " + port + " is not valid: 0-65535");
    }
    if (current != null) {
      throw new IllegalStateException("bind is already open on port " + current.port);
    }
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      var opening =
          Opening.open(
              port, mark, offloads.allows(Offload.UDP_GSO), offloads.allows(Offload.UDP_GRO));
      if (opening != null) {
        current = opening;
        recordOffloads(opening);
        var receivers = new ArrayList<Receiver>();
        for (var socket : opening.sockets()) {
          receivers.add(new SocketReceiver(opening, socket));
        }
        return new Opened(opening.port, receivers);
      }
    }
    throw new BindException(
        "cannot find a free UDP port for both IPv4 and IPv6 after " + PORT_ATTEMPTS + " attempts");
  }

  /** Records what the sockets of {@code opening} negotiated: on where every socket has it. */
  private void recordOffloads(Opening opening) {
    record(Offload.UDP_GSO, opening, s -> s.gsoErrno);
    record(Offload.UDP_GRO, opening, s -> s.groErrno);
  }

  private void record(Offload offload, Opening opening, ToIntFunction<UdpSocket> errno) {
    if (!offloads.allows(offload)) {
      return;
    }
    var on = new ArrayList<String>();
    var refused = new ArrayList<String>();
    for (var socket : opening.sockets()) {
      int e = errno.applyAsInt(socket);
      if (e == 0) {
        on.add(socket.familyName());
      } else {
        refused.add(socket.familyName() + ": " + Syscalls.name(e));
      }
    }
    offloads.negotiated(
        offload, refused.isEmpty(), String.join(", ", refused.isEmpty() ? on : refused));
  }

  /**
   * {@value #BATCH_SIZE}: a receive returns what the socket has queued, up to this many, after the
   * first datagram, a run the kernel coalesced counting as its datagrams.
   */
  @Override
  public int batchSize() {
    return BATCH_SIZE;
  }

  /** The bound port, or -1 if not open. */
  public int localPort() {
    var opening = current;
    return opening == null ? -1 : opening.port;
  }

  /** The open sockets' descriptors (IPv4 first), for tests reading options back. */
  synchronized List<Integer> descriptors() {
    var opening = current;
    return opening == null ? List.of() : opening.sockets().stream().map(s -> s.fd).toList();
  }

  @Override
  public synchronized void setMark(int mark) throws IOException {
    var opening = current;
    if (opening != null) {
      for (var socket : opening.sockets()) {
        Sockets.setMark(socket.fd, mark);
      }
    }
    this.mark = mark;
  }

  @Override
  public void send(byte[][] bufs, int[] sizes, int offset, int count, Endpoint endpoint)
      throws IOException {
    Objects.requireNonNull(endpoint, "endpoint");
    var opening = current;
    if (opening == null) {
      throw new ClosedChannelException();
    }
    opening.enter();
    try {
      boolean ipv4 = endpoint.ip() instanceof Inet4Address;
      var socket = ipv4 ? opening.ipv4 : opening.ipv6;
      if (socket == null) {
        throw new IOException(
            "cannot send to " + endpoint + ": this host has no " + (ipv4 ? "IPv4" : "IPv6"));
      }
      var m = SEND_BUFFERS.get();
      int nameLength = SockAddr.write(m.name, socket.family, endpoint.ip(), endpoint.port());
      for (int i = 0; i < count; ) {
        int run = socket.segmentation ? segmentRun(sizes, i, count) : 1;
        int length = 0;
        for (int k = i; k < i + run; k++) {
          if (sizes[k] > MessageBuffers.DATA_SIZE) {
            throw new IOException("datagram of " + sizes[k] + " bytes is larger than UDP allows");
          }
          MemorySegment.copy(bufs[k], offset, m.data, JAVA_BYTE, length, sizes[k]);
          length += sizes[k];
        }
        if (socket.send(
            m,
            nameLength,
            length,
            run > 1 ? sizes[i] : 0,
            endpoint.source(),
            opening.wakeFd,
            opening.closed::get,
            endpoint)) {
          i += run;
        } else {
          socket.segmentation = false; // the kernel refused: one datagram per call from now on
          offloads.fellBack(
              Offload.UDP_GSO,
              socket.familyName()
                  + " send to "
                  + endpoint
                  + " refused with "
                  + Syscalls.name(socket.segmentationRefusal));
        }
      }
    } finally {
      opening.exit();
    }
  }

  /**
   * How many datagrams from {@code i} on one UDP_SEGMENT send can carry: a run of the same size,
   * optionally closed by one shorter datagram, within the kernel's limits.
   */
  static int segmentRun(int[] sizes, int i, int count) {
    int size = sizes[i];
    int run = 1;
    int total = size;
    while (i + run < count
        && run < UdpSocket.MAX_SEGMENTS
        && sizes[i + run] > 0
        && sizes[i + run] <= size
        && total + sizes[i + run] <= UdpSocket.MAX_SEGMENTED_BYTES) {
      total += sizes[i + run];
      run++;
      if (sizes[i + run - 1] < size) {
        break; // only the last segment may be shorter
      }
    }
    return run;
  }

  @Override
  public synchronized void close() {
    var opening = current;
    if (opening != null) {
      current = null;
      opening.close();
    }
  }

  /** One opening: its sockets, the wake-up eventfd, and the guard that defers closing them. */
  private static final class Opening {
    final UdpSocket ipv4;
    final UdpSocket ipv6;
    final int wakeFd;
    final int port;
    final AtomicBoolean closed = new AtomicBoolean();

    /** Calls hold the read side; close takes the write side before closing descriptors. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();

    private Opening(UdpSocket ipv4, UdpSocket ipv6, int wakeFd, int port) {
      this.ipv4 = ipv4;
      this.ipv6 = ipv6;
      this.wakeFd = wakeFd;
      this.port = port;
    }

    /**
     * Opens udp4 then udp6 on the same port. Returns null when {@code port} is 0 and the port the
     * kernel chose for IPv4 is taken for IPv6, so the caller tries again (as wireguard-go does).
     */
    static Opening open(int port, int mark, boolean gso, boolean gro) throws IOException {
      UdpSocket ipv4 = null;
      UdpSocket ipv6 = null;
      int wakeFd = -1;
      try {
        wakeFd =
            (int)
                Syscalls.EVENTFD.invokeExact(
                    Syscalls.state(), 0, Syscalls.EFD_CLOEXEC | Syscalls.EFD_NONBLOCK);
        if (wakeFd < 0) {
          throw new IOException("cannot create eventfd: " + Syscalls.name(Syscalls.errno()));
        }
        int actual = port;
        ipv4 = UdpSocket.create(Syscalls.AF_INET, mark, gso, gro);
        if (ipv4 != null) {
          int errno = ipv4.bind(port);
          if (errno != 0) {
            throw bindFailure(port, errno);
          }
          actual = ipv4.localPort();
        }
        ipv6 = UdpSocket.create(Syscalls.AF_INET6, mark, gso, gro);
        if (ipv6 != null) {
          int errno = ipv6.bind(actual);
          if (errno == Errno.EADDRINUSE && port == 0 && ipv4 != null) {
            closeAll(ipv4, ipv6, wakeFd);
            return null;
          }
          if (errno != 0) {
            throw bindFailure(actual, errno);
          }
          actual = ipv6.localPort();
        }
        if (ipv4 == null && ipv6 == null) {
          throw new IOException("this host supports neither IPv4 nor IPv6 UDP sockets");
        }
        return new Opening(ipv4, ipv6, wakeFd, actual);
      } catch (IOException | RuntimeException | Error e) {
        closeAll(ipv4, ipv6, wakeFd);
        throw e;
      } catch (Throwable t) {
        throw unexpected(t);
      }
    }

    private static IOException bindFailure(int port, int errno) {
      if (errno == Errno.EADDRINUSE) {
        return new BindException(
            "cannot listen on UDP port " + port + ": address already in use (EADDRINUSE)");
      }
      return new BindException("cannot listen on UDP port " + port + ": " + Syscalls.name(errno));
    }

    private static void closeAll(UdpSocket ipv4, UdpSocket ipv6, int wakeFd) {
      if (ipv4 != null) {
        ipv4.close();
      }
      if (ipv6 != null) {
        ipv6.close();
      }
      if (wakeFd >= 0) {
        try {
          int ignored = (int) Syscalls.CLOSE.invokeExact(Syscalls.state(), wakeFd);
        } catch (Throwable t) {
          throw unexpected(t);
        }
      }
    }

    List<UdpSocket> sockets() {
      var list = new ArrayList<UdpSocket>(2);
      if (ipv4 != null) {
        list.add(ipv4);
      }
      if (ipv6 != null) {
        list.add(ipv6);
      }
      return list;
    }

    void enter() throws ClosedChannelException {
      inUse.readLock().lock();
      if (closed.get()) {
        inUse.readLock().unlock();
        throw new ClosedChannelException();
      }
    }

    void exit() {
      inUse.readLock().unlock();
    }

    void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      // Wake every waiter first; the eventfd stays readable, so later polls return at once too.
      try (var arena = Arena.ofConfined()) {
        var one = arena.allocateFrom(JAVA_LONG, 1L);
        long ignored = (long) Syscalls.WRITE.invokeExact(Syscalls.state(), wakeFd, one, 8L);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      inUse.writeLock().lock();
      try {
        closeAll(ipv4, ipv6, wakeFd);
      } finally {
        inUse.writeLock().unlock();
      }
    }
  }

  /**
   * Receives from one socket into its own buffers and splits what the kernel coalesced (UDP_GRO)
   * into datagrams; segments that do not fit the caller's arrays wait for the next call. Remembers
   * the last {@value #CACHED_ENDPOINTS} senders and destinations, so a steady peer costs no
   * allocation even while another source (a flood, a second peer) interleaves with it.
   */
  private static final class SocketReceiver implements Receiver {
    private final Opening opening;
    private final UdpSocket socket;
    private final MessageBuffers m = new MessageBuffers();
    private static final int CACHED_ENDPOINTS = 4;

    /** Slot i's sender sockaddr and packet information, at {@code i * KEY_SIZE}. */
    private final MemorySegment keys = Arena.ofAuto().allocate((long) KEY_SIZE * CACHED_ENDPOINTS);

    private final Endpoint[] cached = new Endpoint[CACHED_ENDPOINTS];

    /** The packet information length in each slot of {@link #keys}. */
    private final long[] infoLengths = new long[CACHED_ENDPOINTS];

    /** The slot the next new endpoint replaces (round robin). */
    private int nextSlot;

    /**
     * The last {@code recvmsg}'s segments not yet delivered: {@code remaining} from {@code next}.
     */
    private int remaining;

    private int next;
    private int end;
    private int segmentSize;
    private Endpoint pendingFrom;

    /**
     * The sender's sockaddr (28 bytes) and the packet information (up to 40) identify an endpoint.
     */
    private static final int KEY_SIZE = SockAddr.IN6_SIZE + 40;

    SocketReceiver(Opening opening, UdpSocket socket) {
      this.opening = opening;
      this.socket = socket;
    }

    @Override
    public int receive(byte[][] bufs, int[] sizes, Endpoint[] endpoints) throws IOException {
      opening.enter();
      try {
        int max =
            Math.min(Math.min(bufs.length, sizes.length), Math.min(endpoints.length, BATCH_SIZE));
        int count = deliver(bufs, sizes, endpoints, 0, max);
        if (count == 0) {
          accept(socket.receive(m, MessageBuffers.DATA_SIZE, opening.wakeFd, opening.closed::get));
          count = deliver(bufs, sizes, endpoints, 0, max);
        }
        // Then what is already queued, without waiting.
        while (count < max) {
          long more = socket.receiveOnce(m, MessageBuffers.DATA_SIZE);
          if (more < 0) {
            break; // EAGAIN: the queue is empty; any other error shows on the next call
          }
          accept((int) more);
          count = deliver(bufs, sizes, endpoints, count, max);
        }
        return count;
      } finally {
        opening.exit();
      }
    }

    /** Takes the {@code n} bytes the last {@code recvmsg} put in {@code m.data} as pending. */
    private void accept(int n) {
      int segment = UdpSocket.receivedSegmentSize(m);
      segmentSize = segment > 0 ? segment : n;
      remaining = n == 0 ? 1 : (n + segmentSize - 1) / segmentSize; // an empty datagram is one too
      next = 0;
      end = n;
      pendingFrom = endpoint();
    }

    /** Moves pending segments into slots {@code count..max-1}; returns the new count. */
    private int deliver(byte[][] bufs, int[] sizes, Endpoint[] endpoints, int count, int max) {
      while (remaining > 0 && count < max) {
        int n = Math.min(segmentSize, end - next);
        if (n > bufs[count].length) {
          bufs[count] = new byte[n];
        }
        MemorySegment.copy(m.data, JAVA_BYTE, next, bufs[count], 0, n);
        sizes[count] = n;
        endpoints[count] = pendingFrom;
        count++;
        next += n;
        remaining--;
      }
      return count;
    }

    private Endpoint endpoint() {
      long at = socket.packetInfoOffset(m);
      long infoLength = at < 0 ? 0 : Math.min(m.control.get(JAVA_LONG, at), 40);
      for (int i = 0; i < CACHED_ENDPOINTS; i++) {
        long key = (long) i * KEY_SIZE;
        if (cached[i] != null
            && infoLengths[i] == infoLength
            && MemorySegment.mismatch(
                    m.name, 0, SockAddr.IN6_SIZE, keys, key, key + SockAddr.IN6_SIZE)
                == -1
            && MemorySegment.mismatch(
                    m.control,
                    Math.max(at, 0),
                    Math.max(at, 0) + infoLength,
                    keys,
                    key + SockAddr.IN6_SIZE,
                    key + SockAddr.IN6_SIZE + infoLength)
                == -1) {
          return cached[i];
        }
      }
      int slot = nextSlot;
      nextSlot = (nextSlot + 1) % CACHED_ENDPOINTS;
      long key = (long) slot * KEY_SIZE;
      InetAddress destination = socket.receivedDestination(m);
      cached[slot] = new Endpoint(SockAddr.read(m.name), destination);
      infoLengths[slot] = infoLength;
      MemorySegment.copy(m.name, 0, keys, key, SockAddr.IN6_SIZE);
      if (at >= 0) {
        MemorySegment.copy(m.control, at, keys, key + SockAddr.IN6_SIZE, infoLength);
      }
      return cached[slot];
    }
  }
}
