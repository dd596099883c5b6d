package dev.wiremesh.wireguard.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * An in-memory UDP network for tests: {@link MemoryBind}s created here reach each other by address
 * and port, so two devices can handshake and exchange packets in one process with no kernel
 * involved. Delivery is immediate and in order; a datagram to an address and port nobody has open
 * is dropped, as is one that {@link #dropIf a test's filter} rejects.
 */
public final class MemoryNetwork {
  /** A datagram in flight: who sent it, to whom, and its bytes (the network's own copy). */
  public record Datagram(Endpoint from, Endpoint to, byte[] data) {}

  private final Map<InetSocketAddress, MemoryBind.Socket> sockets = new ConcurrentHashMap<>();
  private volatile Predicate<Datagram> drop = datagram -> false;

  /** A bind whose sockets use {@code address} as their local address. */
  public MemoryBind bind(InetAddress address) {
    return new MemoryBind(this, Objects.requireNonNull(address, "address"));
  }

  /** Drops every datagram the predicate accepts (loss, firewalls); {@code d -> false} heals. */
  public void dropIf(Predicate<Datagram> drop) {
    this.drop = Objects.requireNonNull(drop, "drop");
  }

  /** Registers a socket on {@code address:port} (0 picks a free port); returns the port or -1. */
  int register(InetAddress address, int port, MemoryBind.Socket socket) {
    if (port != 0) {
      return sockets.putIfAbsent(new InetSocketAddress(address, port), socket) == null ? port : -1;
    }
    while (true) {
      int candidate = ThreadLocalRandom.current().nextInt(49152, 65536);
      if (sockets.putIfAbsent(new InetSocketAddress(address, candidate), socket) == null) {
        return candidate;
      }
    }
  }

  void unregister(InetSocketAddress local, MemoryBind.Socket socket) {
    sockets.remove(local, socket);
  }

  /** Delivers a copy of {@code data} to whoever listens at {@code to}, unless dropped. */
  void deliver(Endpoint from, Endpoint to, byte[] data) {
    var datagram = new Datagram(from, to, data);
    if (drop.test(datagram)) {
      return;
    }
    var socket = sockets.get(to.address());
    if (socket != null) {
      // The receiver learns the local address the datagram was sent to, as PKTINFO would say.
      socket.enqueue(new Datagram(from.withSource(to.ip()), to, data));
    }
  }
}
