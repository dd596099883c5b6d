package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.ManualClock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two {@link PeerSession}s wired back to back through their outputs, with a shared {@link
 * ManualClock}: what one sends, the other decapsulates, until nothing is left to do. No I/O.
 */
final class SessionWire {
  static final SecureRandom RANDOM = new SecureRandom();

  final ManualClock clock = new ManualClock();
  final ProtocolTiming timing = ProtocolTiming.standard();
  final Side a = new Side("a", "10.0.0.1", 51820);
  final Side b = new Side("b", "10.0.0.2", 51821);
  boolean linkUp = true;

  /** One end: a device of one peer session, its address, and what happened to it. */
  final class Side {
    final String name;
    final InetAddress tunnelAddress;
    final LocalIdentity identity = LocalIdentity.of(NoisePrivateKey.generate(RANDOM));
    final IndexTable<Object> indices = new IndexTable<>();
    final List<byte[]> delivered = new ArrayList<>();
    final List<byte[]> sent = new ArrayList<>();
    final Map<String, Integer> drops = new TreeMap<>();
    InetSocketAddress address;
    int retries;
    Tunnel<InetSocketAddress> tunnel;
    PeerSession<InetSocketAddress> session;

    Side(String name, String tunnelAddress, int port) {
      this.name = name;
      this.tunnelAddress = ip(tunnelAddress);
      this.address = new InetSocketAddress(ip("192.0.2." + (name.equals("a") ? 1 : 2)), port);
    }

    Side other() {
      return this == a ? b : a;
    }

    /** Encapsulates an IPv4 packet from this side's tunnel address and delivers the results. */
    void sendPacket(byte[] payload) {
      pump(this, tunnel.encapsulate(ipv4(tunnelAddress, other().tunnelAddress, payload)));
    }

    void tick() {
      pump(this, tunnel.updateTimers());
    }

    /** Hands {@code datagram} to this side as if it came from {@code from}. */
    List<Output<InetSocketAddress>> receive(byte[] datagram, InetSocketAddress from) {
      List<Output<InetSocketAddress>> out = tunnel.decapsulate(datagram, from);
      pump(this, out);
      return out;
    }

    int drops(String reason) {
      return drops.getOrDefault(reason, 0);
    }

    List<byte[]> sentOfType(int type) {
      return sent.stream().filter(d -> getInt(d, 0) == type).toList();
    }
  }

  SessionWire() {
    a.tunnel = tunnel(a);
    b.tunnel = tunnel(b);
    a.session = a.tunnel.session();
    b.session = b.tunnel.session();
    a.session.setEndpoint(b.address);
    b.session.setEndpoint(a.address);
  }

  private Tunnel<InetSocketAddress> tunnel(Side s) {
    SessionContext<InetSocketAddress> ctx =
        new SessionContext<>(
            () -> s.identity,
            s.indices,
            clock,
            timing,
            () -> 1420,
            ep -> {
              s.retries++;
              return ep;
            });
    // The peer's allowed IPs: its tunnel address only.
    PeerSession.SourceFilter allowed =
        (p, off) ->
            Arrays.equals(p, off + 12, off + 16, s.other().tunnelAddress.getAddress(), 0, 4);
    return new Tunnel<>(s.other().identity.publicKey(), ctx, allowed);
  }

  /** Carries out {@code outputs} of {@code side}, and what they cause, until nothing is left. */
  void pump(Side side, List<Output<InetSocketAddress>> outputs) {
    record Pending(Side side, Output<InetSocketAddress> output) {}
    ArrayDeque<Pending> work = new ArrayDeque<>();
    outputs.forEach(o -> work.add(new Pending(side, o)));
    while (!work.isEmpty()) {
      Pending p = work.poll();
      switch (p.output()) {
        case Output.SendDatagram<InetSocketAddress> d -> {
          byte[] datagram = Arrays.copyOf(d.datagram(), d.length());
          p.side().sent.add(datagram);
          Side to = p.side().other();
          if (linkUp && d.destination().equals(to.address)) {
            to.tunnel
                .decapsulate(datagram, p.side().address)
                .forEach(o -> work.add(new Pending(to, o)));
          }
        }
        case Output.DeliverPacket<InetSocketAddress> d ->
            p.side()
                .delivered
                .add(Arrays.copyOfRange(d.buf(), d.offset(), d.offset() + d.length()));
        case Output.Dropped<InetSocketAddress> d ->
            p.side().drops.merge(d.reason(), 1, Integer::sum);
      }
    }
  }

  /** Runs both sides' timers every {@code step} for {@code total}. */
  void run(Duration total, Duration step) {
    for (Duration t = Duration.ZERO; t.compareTo(total) < 0; t = t.plus(step)) {
      clock.advance(step);
      a.tick();
      b.tick();
    }
  }

  /** A minimal IPv4 packet (protocol 253, experimental) carrying {@code payload}. */
  static byte[] ipv4(InetAddress src, InetAddress dst, byte[] payload) {
    byte[] p = new byte[20 + payload.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[8] = 64;
    p[9] = (byte) 253;
    System.arraycopy(src.getAddress(), 0, p, 12, 4);
    System.arraycopy(dst.getAddress(), 0, p, 16, 4);
    System.arraycopy(payload, 0, p, 20, payload.length);
    return p;
  }

  static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
