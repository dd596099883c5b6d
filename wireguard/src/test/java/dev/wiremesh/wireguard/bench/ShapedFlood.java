package dev.wiremesh.wireguard.bench;

import static dev.wiremesh.wireguard.message.Messages.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Floods of other shapes than {@link HandshakeFlood}'s, from one source, for
 * wireguard/bench/flood.sh (not a test), made as a new user would make them: capture a few of the
 * real peer's datagrams with tcpdump, then send them again as fast as one socket can, mixed with
 * random bytes.
 *
 * <pre>ShapedFlood SOURCE_IP TARGET_IP:PORT SECONDS SHAPE [CAPTURE.pcap]</pre>
 *
 * Shapes:
 *
 * <ul>
 *   <li>{@code replay}: the first handshake initiation in the capture, again and again (a valid
 *       MAC1 from a peer the target knows, an old timestamp);
 *   <li>{@code replay-garbage}: that initiation and a random datagram (1-1400 random bytes)
 *       alternately;
 *   <li>{@code garbage}: random datagrams only;
 *   <li>{@code truncated}: prefixes of the initiation (0-147 bytes) and of transport messages;
 *   <li>{@code oversized}: the initiation, and transport headers, followed by up to 8 KB of junk;
 *   <li>{@code transport-replay}: the transport messages in the capture, again and again (all must
 *       be refused by the replay filter).
 * </ul>
 *
 * Prints one line: {@code sent=N rate_per_s=R replies=C}.
 */
public final class ShapedFlood {

  private ShapedFlood() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: ShapedFlood SOURCE_IP TARGET_IP:PORT SECONDS SHAPE [CAPTURE.pcap]");
      System.exit(2);
    }
    String target = args[1];
    int colon = target.lastIndexOf(':');
    String host = target.substring(0, colon).replace("[", "").replace("]", "");
    var to = new InetSocketAddress(host, Integer.parseInt(target.substring(colon + 1)));
    long nanos = Long.parseLong(args[2]) * 1_000_000_000L;
    String shape = args[3];
    List<byte[]> captured = args.length > 4 ? udpPayloads(Path.of(args[4])) : List.of();
    List<byte[]> messages = messages(shape, captured);

    long replies = 0;
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.bind(new InetSocketAddress(args[0], 0));
      ch.connect(to);
      ch.configureBlocking(false);
      ByteBuffer in = ByteBuffer.allocate(65536);
      long sent = 0;
      long start = System.nanoTime();
      long end = start + nanos;
      ByteBuffer out = ByteBuffer.allocate(65536);
      while (System.nanoTime() < end) {
        for (int i = 0; i < 64; i++) {
          byte[] m = messages.get((int) (sent % messages.size()));
          out.clear();
          out.put(m);
          out.flip();
          try {
            ch.write(out);
            sent++;
          } catch (java.net.PortUnreachableException e) {
            // an ICMP error from an earlier datagram: keep flooding
          }
        }
        in.clear();
        try {
          while (ch.read(in) > 0) {
            replies++;
            in.clear();
          }
        } catch (java.net.PortUnreachableException e) {
          // as above
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("sent=%d rate_per_s=%.0f replies=%d%n", sent, sent / seconds, replies);
    }
  }

  /** The datagrams one round of the flood sends, in order (a cycle of 1024 or fewer). */
  static List<byte[]> messages(String shape, List<byte[]> captured) {
    SplittableRandom random = new SplittableRandom(18);
    List<byte[]> initiations = ofType(captured, MESSAGE_INITIATION_TYPE);
    List<byte[]> transport = ofType(captured, MESSAGE_TRANSPORT_TYPE);
    List<byte[]> out = new ArrayList<>();
    switch (shape) {
      case "replay" -> out.add(first(initiations, shape));
      case "replay-garbage" -> {
        byte[] init = first(initiations, shape);
        for (int i = 0; i < 512; i++) {
          out.add(init);
          out.add(randomBytes(random, 1 + random.nextInt(1400)));
        }
      }
      case "garbage" -> {
        for (int i = 0; i < 1024; i++) {
          out.add(randomBytes(random, 1 + random.nextInt(1400)));
        }
      }
      case "truncated" -> {
        byte[] init = first(initiations, shape);
        byte[] data = first(transport, shape);
        for (int i = 0; i < 512; i++) {
          out.add(java.util.Arrays.copyOf(init, random.nextInt(init.length)));
          out.add(java.util.Arrays.copyOf(data, random.nextInt(MESSAGE_TRANSPORT_MIN_SIZE)));
        }
      }
      case "oversized" -> {
        byte[] init = first(initiations, shape);
        byte[] data = first(transport, shape);
        for (int i = 0; i < 512; i++) {
          out.add(withJunk(init, random));
          out.add(withJunk(java.util.Arrays.copyOf(data, MESSAGE_TRANSPORT_HEADER_SIZE), random));
        }
      }
      case "transport-replay" -> {
        if (transport.isEmpty()) {
          throw new IllegalArgumentException("the capture holds no transport message");
        }
        out.addAll(transport);
      }
      default ->
          throw new IllegalArgumentException(
              "unknown shape "
                  + shape
                  + ": expected replay, replay-garbage, garbage, truncated, oversized or"
                  + " transport-replay");
    }
    return out;
  }

  private static byte[] first(List<byte[]> of, String shape) {
    if (of.isEmpty()) {
      throw new IllegalArgumentException(
          "shape " + shape + " needs a capture with an initiation and a transport message");
    }
    return of.getFirst();
  }

  private static List<byte[]> ofType(List<byte[]> datagrams, int type) {
    return datagrams.stream().filter(d -> type(d, d.length) == type).toList();
  }

  private static byte[] withJunk(byte[] m, SplittableRandom random) {
    byte[] out = java.util.Arrays.copyOf(m, m.length + 1 + random.nextInt(8192));
    for (int i = m.length; i < out.length; i++) {
      out[i] = (byte) random.nextInt();
    }
    return out;
  }

  private static byte[] randomBytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /**
   * The UDP payloads of a classic pcap file (Ethernet or Linux cooked frames, IPv4 or IPv6, as
   * tcpdump writes them), in capture order.
   */
  static List<byte[]> udpPayloads(Path pcap) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
    int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
      b.order(ByteOrder.BIG_ENDIAN);
    }
    int linkType = b.getInt(20);
    int linkHeader =
        switch (linkType) {
          case 1 -> 14; // Ethernet
          case 113 -> 16; // Linux cooked (tcpdump -i any)
          case 101 -> 0; // raw IP
          default -> throw new IOException(pcap + ": link type " + linkType + " not supported");
        };
    ByteBuffer net = b.duplicate().order(ByteOrder.BIG_ENDIAN); // the packets' fields
    List<byte[]> out = new ArrayList<>();
    int at = 24;
    while (at + 16 <= b.limit()) {
      int captured = b.getInt(at + 8);
      int frame = at + 16;
      at = frame + captured;
      if (at > b.limit() || captured <= linkHeader) {
        break;
      }
      int ip = frame + linkHeader;
      int version = (net.get(ip) & 0xff) >> 4;
      int udp;
      if (version == 4 && b.get(ip + 9) == 17) {
        udp = ip + (b.get(ip) & 0x0f) * 4;
      } else if (version == 6 && b.get(ip + 6) == 17) {
        udp = ip + 40;
      } else {
        continue;
      }
      int length = (net.getShort(udp + 4) & 0xffff) - 8;
      if (length < 0 || udp + 8 + length > at) {
        continue;
      }
      byte[] payload = new byte[length];
      b.get(udp + 8, payload);
      out.add(payload);
    }
    return out;
  }
}
