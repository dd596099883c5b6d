package dev.wiremesh.wireguard.net;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The device's UDP sockets: one listen port for IPv4 and IPv6, modelled on wireguard-go's {@code
 * conn.Bind}: sends and receives move batches of datagrams.
 *
 * <h2>Life cycle</h2>
 *
 * {@link #open(int)} binds the port and returns one {@link Receiver} per socket; the device runs
 * one thread per receiver. {@link #close()} closes the sockets: every receiver blocked in {@code
 * receive} returns promptly with {@link java.nio.channels.ClosedChannelException}, as does any
 * later call on those receivers. A closed bind may be opened again (the device does so when the
 * listen port changes); receivers of the earlier opening stay closed.
 *
 * <h2>Buffers</h2>
 *
 * Every buffer is owned by the caller and used only during the call. In {@link #send} packet {@code
 * i} is {@code bufs[i][offset, offset + sizes[i])}; in {@link Receiver#receive} datagram {@code i}
 * is stored at {@code bufs[i][0, sizes[i])} (a larger array replaces {@code bufs[i]} when the
 * datagram does not fit) and came from {@code endpoints[i]}.
 *
 * <h2>Threads</h2>
 *
 * {@code send} may be called from several threads at once and concurrently with the receivers; each
 * receiver is called by one thread at a time; {@code open}, {@code close} and {@code setMark} are
 * serialised by the caller (the device holds its own lock for them).
 *
 * <h2>Sticky source</h2>
 *
 * A reply should leave from the local address the peer wrote to. An implementation that knows it
 * sets {@link Endpoint#source()} on received endpoints and honours it in {@code send}; one that
 * does not (see {@link DatagramChannelBind}) leaves it null and lets the kernel's routing choose.
 */
public interface Bind extends Closeable {

  /**
   * Binds {@code port} on every address, IPv4 and IPv6.
   *
   * @param port 0-65535; 0 lets the kernel choose a free port
   * @return the port actually bound and the receivers to run
   * @throws java.net.BindException if the port is in use (the UAPI answers {@code -EADDRINUSE})
   * @throws IllegalStateException if already open
   */
  Opened open(int port) throws IOException;

  /** The result of {@link #open}: the bound port and one receiver per socket. */
  record Opened(int port, List<Receiver> receivers) {
    /** Copies the list. */
    public Opened {
      receivers = List.copyOf(receivers);
    }
  }

  /**
   * Marks outgoing packets with {@code mark} ({@code SO_MARK}; 0 removes the mark), so policy
   * routing can keep encrypted packets out of the tunnel (wg-quick relies on it). Applies to the
   * open sockets and to later openings.
   *
   * @throws IOException if the kernel refuses (EPERM without CAP_NET_ADMIN)
   */
  void setMark(int mark) throws IOException;

  /**
   * Sends {@code count} datagrams to {@code endpoint}, from its sticky source if the implementation
   * supports one. Does not block for long.
   *
   * @throws java.nio.channels.ClosedChannelException if not open
   * @throws IOException if the kernel refuses (unreachable network, no socket of that family)
   */
  void send(byte[][] bufs, int[] sizes, int offset, int count, Endpoint endpoint)
      throws IOException;

  /** Sends one datagram, {@code buf[off, off + len)}, to {@code endpoint}. */
  default void send(byte[] buf, int off, int len, Endpoint endpoint) throws IOException {
    send(new byte[][] {buf}, new int[] {len}, off, 1, endpoint);
  }

  /** The most datagrams one receive or send call moves; callers size their arrays to it. */
  default int batchSize() {
    return 1;
  }

  /** Closes the sockets and unblocks every receiver. Idempotent. */
  @Override
  void close() throws IOException;

  /** Receives from one socket. */
  @FunctionalInterface
  interface Receiver {
    /**
     * Blocks until at least one datagram arrives, then returns at most {@code min(bufs.length,
     * batchSize())} of those already queued, never waiting for more. A datagram longer than its
     * buffer comes in a new array of its length, stored in {@code bufs[i]} in place of the buffer
     * (so callers can pass small pooled buffers and still receive any datagram whole).
     *
     * @return the number of datagrams received (at least 1)
     * @throws java.nio.channels.ClosedChannelException once the bind is closed
     */
    int receive(byte[][] bufs, int[] sizes, Endpoint[] endpoints) throws IOException;
  }
}
