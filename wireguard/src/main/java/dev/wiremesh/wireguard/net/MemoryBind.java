package dev.wiremesh.wireguard.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link Bind} on a {@link MemoryNetwork}: one local address, one socket per opening. Received
 * endpoints carry the sticky source (the local address the sender wrote to), and sends use this
 * bind's address as their source. Follows the {@link Bind} contract, including batch receives of
 * what is already queued.
 */
public final class MemoryBind implements Bind {
  private static final int BATCH_SIZE = 32;

  private final MemoryNetwork network;
  private volatile InetAddress address;
  private volatile Socket socket;
  private volatile int mark;

  MemoryBind(MemoryNetwork network, InetAddress address) {
    this.network = network;
    this.address = address;
  }

  @Override
  public synchronized Opened open(int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen_port " + port + " is not valid: 0-65535");
    }
    if (socket != null) {
      throw new IllegalStateException("bind is already open on port " + socket.local.getPort());
    }
    var opened = new Socket();
    int actual = network.register(address, port, opened);
    if (actual < 0) {
      throw new BindException(
          "cannot listen on UDP port " + port + ": address already in use (EADDRINUSE)");
    }
    opened.local = new InetSocketAddress(address, actual);
    socket = opened;
    return new Opened(actual, List.of(opened::receive));
  }

  /**
   * Moves this bind to another local address, as when a laptop changes networks: closes the current
   * socket (its receivers end) so the caller opens again.
   */
  public synchronized void moveTo(InetAddress newAddress) {
    close();
    address = newAddress;
  }

  /** The local address. */
  public InetAddress address() {
    return address;
  }

  /** The bound port, or -1 if not open. */
  public int localPort() {
    var s = socket;
    return s == null ? -1 : s.local.getPort();
  }

  /** The last mark set. */
  public int mark() {
    return mark;
  }

  @Override
  public void setMark(int mark) {
    this.mark = mark;
  }

  @Override
  public int batchSize() {
    return BATCH_SIZE;
  }

  @Override
  public void send(byte[][] bufs, int[] sizes, int offset, int count, Endpoint endpoint)
      throws IOException {
    var s = socket;
    if (s == null) {
      throw new ClosedChannelException();
    }
    var from = Endpoint.of(s.local);
    for (int i = 0; i < count; i++) {
      network.deliver(from, endpoint, Arrays.copyOfRange(bufs[i], offset, offset + sizes[i]));
    }
  }

  @Override
  public synchronized void close() {
    var s = socket;
    if (s != null) {
      socket = null;
      network.unregister(s.local, s);
      s.close();
    }
  }

  /** One opening: its queue of received datagrams. */
  static final class Socket {
    /** Wakes receivers on close; compared by identity. */
    private static final MemoryNetwork.Datagram CLOSED =
        new MemoryNetwork.Datagram(null, null, new byte[0]);

    private final LinkedBlockingQueue<MemoryNetwork.Datagram> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    private InetSocketAddress local;

    void enqueue(MemoryNetwork.Datagram datagram) {
      if (!closed) {
        queue.add(datagram);
      }
    }

    void close() {
      closed = true;
      queue.add(CLOSED);
    }

    int receive(byte[][] bufs, int[] sizes, Endpoint[] endpoints) throws IOException {
      if (closed) {
        throw new ClosedChannelException();
      }
      int max =
          Math.min(Math.min(bufs.length, sizes.length), Math.min(endpoints.length, BATCH_SIZE));
      MemoryNetwork.Datagram datagram;
      try {
        datagram = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while receiving");
      }
      int count = 0;
      while (true) {
        if (datagram == CLOSED) {
          queue.add(CLOSED); // keep waking other receivers
          if (count == 0) {
            throw new AsynchronousCloseException();
          }
          return count;
        }
        int n = datagram.data().length;
        if (n > bufs[count].length) {
          bufs[count] = new byte[n];
        }
        System.arraycopy(datagram.data(), 0, bufs[count], 0, n);
        sizes[count] = n;
        endpoints[count] = datagram.from();
        count++;
        if (count == max || (datagram = queue.poll()) == null) {
          return count;
        }
      }
    }
  }
}
