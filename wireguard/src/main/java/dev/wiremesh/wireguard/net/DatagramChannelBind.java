package dev.wiremesh.wireguard.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.List;

/**
 * A {@link Bind} over one JDK {@link DatagramChannel}.
 *
 * <p><b>Dual stack.</b> wireguard-go opens two sockets on the same port, udp4 and udp6. The JDK
 * cannot set {@code IPV6_V6ONLY} before binding, so this implementation opens one IPv6 socket bound
 * to {@code [::]:port} with {@code IPV6_V6ONLY} off (the JDK's default): it receives IPv4 as
 * IPv4-mapped addresses, which {@link Endpoint} turns back into IPv4, and sends to IPv4 endpoints
 * through the same socket. The port, and what peers see, is the same as with wireguard-go. If the
 * host has no IPv6 at all, it opens an IPv4 socket only.
 *
 * <p><b>Sticky source: not supported.</b> The socket is bound to the wildcard address and the JDK
 * offers neither {@code IP_PKTINFO} nor {@code IPV6_PKTINFO}, so received endpoints carry no source
 * and replies leave from whatever address the kernel's routing picks. On a host with one address
 * per family that is the address the peer wrote to; on a multi-homed host a peer may see replies
 * from another address, which WireGuard tolerates (the peer roams to it) but a stateful firewall in
 * between may not. {@link LinuxBind} has sticky sources; this class is the portable fallback.
 *
 * <p><b>fwmark</b> is set with {@code SO_MARK} through the FFM API on the channel's descriptor (see
 * {@link Sockets}).
 *
 * <p>Receive and send move one datagram per system call ({@link #batchSize()} is 1); {@link
 * LinuxBind} batches.
 */
public final class DatagramChannelBind implements Bind {
  /** What wireguard-go asks for (the kernel caps it at net.core.rmem_max / wmem_max). */
  private static final int SOCKET_BUFFER_SIZE = 7 << 20;

  private volatile DatagramChannel channel;
  private int mark;

  @Override
  public synchronized Opened open(int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen_port " + port + " is not valid: 0-65535");
    }
    if (channel != null) {
      throw new IllegalStateException("bind is already open on port " + localPort());
    }
    var wildcard = InetAddress.ofLiteral("::");
    var opened = openChannel(StandardProtocolFamily.INET6);
    if (opened == null) {
      wildcard = InetAddress.ofLiteral("0.0.0.0");
      opened = openChannel(StandardProtocolFamily.INET);
    }
    try {
      opened.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_SIZE);
      opened.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_SIZE);
      opened.bind(new InetSocketAddress(wildcard, port));
      channel = opened;
      if (mark != 0) {
        Sockets.setMark(descriptor(), mark);
      }
    } catch (BindException e) {
      opened.close();
      channel = null;
      var refused =
          new BindException(
              "cannot listen on UDP port " + port + ": address already in use (EADDRINUSE)");
      refused.initCause(e);
      throw refused;
    } catch (IOException | RuntimeException e) {
      opened.close();
      channel = null;
      throw e;
    }
    var receiver = new ChannelReceiver(opened);
    return new Opened(localPort(), List.of(receiver));
  }

  /** An unbound channel of that family, or null if the host does not support the family. */
  private static DatagramChannel openChannel(ProtocolFamily family) throws IOException {
    try {
      return DatagramChannel.open(family);
    } catch (UnsupportedOperationException e) {
      if (family == StandardProtocolFamily.INET) {
        throw new IOException("this host supports neither IPv6 nor IPv4 UDP sockets", e);
      }
      return null;
    }
  }

  /** The bound port, or -1 if not open. */
  public synchronized int localPort() throws IOException {
    return channel == null ? -1 : ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  /** The descriptor behind the open channel, for {@code setsockopt}. */
  synchronized int descriptor() throws IOException {
    if (channel == null) {
      throw new ClosedChannelException();
    }
    return Sockets.findDescriptor((InetSocketAddress) channel.getLocalAddress());
  }

  @Override
  public synchronized void setMark(int mark) throws IOException {
    if (channel != null) {
      Sockets.setMark(descriptor(), mark);
    }
    this.mark = mark;
  }

  @Override
  public void send(byte[][] bufs, int[] sizes, int offset, int count, Endpoint endpoint)
      throws IOException {
    var target = channel;
    if (target == null) {
      throw new ClosedChannelException();
    }
    for (int i = 0; i < count; i++) {
      try {
        target.send(ByteBuffer.wrap(bufs[i], offset, sizes[i]), endpoint.address());
      } catch (UnsupportedAddressTypeException e) {
        throw new IOException("cannot send to " + endpoint + ": this host has no IPv6", e);
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  /** Receives from one channel; remembers the last sender so a steady peer costs no allocation. */
  private static final class ChannelReceiver implements Receiver {
    private final DatagramChannel channel;

    /** Any datagram fits; it is then copied into the caller's buffer. */
    private final ByteBuffer scratch = ByteBuffer.allocate(65535);

    private SocketAddress lastAddress;
    private Endpoint lastEndpoint;

    ChannelReceiver(DatagramChannel channel) {
      this.channel = channel;
    }

    @Override
    public int receive(byte[][] bufs, int[] sizes, Endpoint[] endpoints) throws IOException {
      scratch.clear();
      var from = channel.receive(scratch);
      int n = scratch.position();
      if (n > bufs[0].length) {
        bufs[0] = new byte[n];
      }
      System.arraycopy(scratch.array(), 0, bufs[0], 0, n);
      if (from != lastAddress) {
        lastEndpoint = Endpoint.of((InetSocketAddress) from);
        lastAddress = from;
      }
      sizes[0] = n;
      endpoints[0] = lastEndpoint;
      return 1;
    }
  }
}
