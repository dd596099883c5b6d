package dev.wiremesh.wireguard.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lossy, reordering, duplicating UDP path between two WireGuard peers, for the fault tests: what
 * {@code tc qdisc add ... netem loss 5%}, {@code netem delay 10ms reorder 25%} and {@code netem
 * duplicate} do on a link, done in userspace because this machine's kernel has no netem ({@code
 * CONFIG_NET_SCH_NETEM} is not set). Run it as its own process in a namespace:
 *
 * <pre>ImpairedRelay SIDE_A_LOCAL SIDE_A_PEER SIDE_B_LOCAL SIDE_B_PEER LOSS DUP REORDER DELAY_MS
 * SEED</pre>
 *
 * Peer A sends to {@code SIDE_A_LOCAL}; the relay sends it on from {@code SIDE_B_LOCAL} to {@code
 * SIDE_B_PEER}, and the other way round. Each datagram, in each direction, is dropped with
 * probability {@code LOSS}, else sent, and sent twice with probability {@code DUP}; with {@code
 * DELAY_MS > 0} a datagram is held {@code DELAY_MS} except with probability {@code REORDER}, when
 * it goes at once — so it overtakes the ones held before it (netem's "delay D reorder R"). Prints
 * {@code ready} once both sockets are bound, and on SIGTERM one line of counts: {@code forwarded=N
 * dropped=N duplicated=N reordered=N}.
 */
public final class ImpairedRelay {
  private final double loss;
  private final double duplicate;
  private final double reorder;
  private final long delayMillis;
  private final SplittableRandom random;
  private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor();
  private long forwarded;
  private long dropped;
  private long duplicated;
  private long reordered;

  private ImpairedRelay(
      double loss, double duplicate, double reorder, long delayMillis, long seed) {
    this.loss = loss;
    this.duplicate = duplicate;
    this.reorder = reorder;
    this.delayMillis = delayMillis;
    this.random = new SplittableRandom(seed);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      System.err.println(
          "usage: ImpairedRelay SIDE_A_LOCAL SIDE_A_PEER SIDE_B_LOCAL SIDE_B_PEER LOSS DUP REORDER"
              + " DELAY_MS SEED (addresses as host:port, [v6]:port; probabilities 0-1)");
      System.exit(2);
    }
    var relay =
        new ImpairedRelay(
            Double.parseDouble(args[4]),
            Double.parseDouble(args[5]),
            Double.parseDouble(args[6]),
            Long.parseLong(args[7]),
            Long.parseLong(args[8]));
    DatagramChannel a = DatagramChannel.open().bind(address(args[0]));
    DatagramChannel b = DatagramChannel.open().bind(address(args[2]));
    Runtime.getRuntime().addShutdownHook(new Thread(relay::report));
    Thread.ofPlatform().daemon().start(() -> relay.pump(a, b, address(args[3])));
    System.out.println("ready");
    System.out.flush();
    relay.pump(b, a, address(args[1]));
  }

  static InetSocketAddress address(String text) {
    int colon = text.lastIndexOf(':');
    String host = text.substring(0, colon).replace("[", "").replace("]", "");
    return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
  }

  /** Datagrams arriving on {@code in} leave from {@code out} to {@code to}, impaired. */
  private void pump(DatagramChannel in, DatagramChannel out, SocketAddress to) {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    try {
      while (true) {
        buf.clear();
        in.receive(buf);
        buf.flip();
        byte[] datagram = new byte[buf.remaining()];
        buf.get(datagram);
        decide(out, to, datagram);
      }
    } catch (IOException e) {
      System.err.println("relay stopped: " + e);
    }
  }

  private synchronized void decide(DatagramChannel out, SocketAddress to, byte[] datagram) {
    if (random.nextDouble() < loss) {
      dropped++;
      return;
    }
    int copies = random.nextDouble() < duplicate ? 2 : 1;
    duplicated += copies - 1;
    forwarded++;
    if (delayMillis > 0 && random.nextDouble() >= reorder) {
      delayed.schedule(() -> send(out, to, datagram, copies), delayMillis, TimeUnit.MILLISECONDS);
    } else {
      if (delayMillis > 0) {
        reordered++;
      }
      send(out, to, datagram, copies);
    }
  }

  private static void send(DatagramChannel out, SocketAddress to, byte[] datagram, int copies) {
    for (int i = 0; i < copies; i++) {
      try {
        out.send(ByteBuffer.wrap(datagram), to);
      } catch (IOException e) {
        // as a link would: a datagram that cannot go is lost
      }
    }
  }

  private synchronized void report() {
    System.out.printf(
        "forwarded=%d dropped=%d duplicated=%d reordered=%d%n",
        forwarded, dropped, duplicated, reordered);
    System.out.flush();
  }
}
