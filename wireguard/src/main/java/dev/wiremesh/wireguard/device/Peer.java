package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.MESSAGE_TRANSPORT_HEADER_SIZE;

import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.session.Output;
import dev.wiremesh.wireguard.session.PeerSession;
import dev.wiremesh.wireguard.session.Step;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One peer of a {@link Device}: its I/O-free {@link PeerSession}, which makes every protocol
 * decision, and its two ordered queues, which carry the session's work through the crypto workers
 * and back in order. The send path (wireguard-go's send.go):
 *
 * <ol>
 *   <li>the TUN reader routes a packet here; the session stages it ({@link PeerSession#stage});
 *   <li>with a usable session, each staged packet gets the next counter and comes back as a {@link
 *       Step.Seal}; it goes to the peer's outbound ordered queue and to one crypto worker chosen
 *       round-robin;
 *   <li>without one, the session starts a handshake and the packets wait;
 *   <li>workers seal; the ordered queue hands each sealed packet, in counter order, to {@link
 *       PeerSession#transmitted}, which says where to send it.
 * </ol>
 *
 * The receive path mirrors it: the device finds the keypair by receiver index, a worker opens the
 * message, and the inbound ordered queue hands it, in arrival order, to {@link
 * PeerSession#receiveAuthenticated}.
 */
final class Peer {
  private static final Logger LOG = Logger.getLogger(Peer.class.getName());

  /**
   * Packets in flight per peer and direction. Counted in packets, not batches: 1024 batches of 64
   * held a second of traffic at a gigabit, and a saturating TCP flow filled them, so every packet
   * behind it (a ping, a DNS answer) waited 10-40 ms. 256 packets is 3 ms at a gigabit
   * (docs/performance.md, "Latency under load"; wireguard/bench/latency.sh).
   */
  static final int QUEUE_ORDERED_SIZE = 256;

  final Device device;
  volatile NoisePublicKey publicKey; // replaced in place when the peer rotates its key
  final PeerSession<Endpoint> session;
  final OrderedQueue<OutboundJob> outbound = new OrderedQueue<>(QUEUE_ORDERED_SIZE);
  final OrderedQueue<InboundJob> inbound = new OrderedQueue<>(QUEUE_ORDERED_SIZE);

  /** Where the session's calls put what to do: {@link #run(Step)}. */
  final Consumer<Step<Endpoint>> steps = this::run;

  /** Where the TUN reader's {@code stage} calls put what to do: {@link #collect(Step)}. */
  final Consumer<Step<Endpoint>> readerSteps = this::collect;

  /** The batch the TUN reader is filling; only that thread touches it. */
  private OutboundJob forming;

  /**
   * The sealed datagrams of one batch being sent; only the outbound queue's drainer touches them
   * (the queue's drain flag orders one drainer's writes before the next one's reads). Allocated at
   * the first batch: with a thousand configured peers, most never send (about 1 KB a peer with the
   * inbound arrays below).
   */
  private byte[][] sendBufs;

  private int[] sendSizes;

  /** Where {@link #deliverInbound} has the session put what to do: {@link #collectInbound}. */
  private final Consumer<Step<Endpoint>> inboundSteps = this::collectInbound;

  /**
   * The packets of one inbound batch to write; only the inbound queue's drainer touches them.
   * Allocated at the first batch, as the outbound ones.
   */
  private byte[][] writeBufs;

  private int[] writeSizes;
  private int writes;

  Peer(Device device, NoisePublicKey publicKey) {
    this.device = device;
    this.publicKey = publicKey;
    this.session =
        new PeerSession<>(
            publicKey,
            device.sessionContext,
            (packet, off) -> device.allowedIps.lookupSource(packet, off) == this);
  }

  /** Carries out what the session asked for: seals go to the workers, outputs to I/O. */
  void run(List<Step<Endpoint>> steps) {
    steps.forEach(this::run);
  }

  /** Carries out one step: a seal goes to a worker at once, an output to I/O. */
  void run(Step<Endpoint> step) {
    switch (step) {
      case Step.Seal<Endpoint> seal -> submit(OutboundJob.of(this, seal.job()));
      case Output<Endpoint> o -> output(o);
    }
  }

  /**
   * The TUN reader's steps: seals join the batch being formed (sent to a worker when full or at
   * {@link #submitFormed}); outputs are carried out at once.
   */
  private void collect(Step<Endpoint> step) {
    switch (step) {
      case Step.Seal<Endpoint> seal -> {
        if (forming == null) {
          forming = new OutboundJob(this, OutboundJob.MAX_PACKETS);
        }
        forming.add(seal.job());
        if (forming.isFull()) {
          submitFormed();
        }
      }
      case Output<Endpoint> o -> output(o);
    }
  }

  /** Hands the batch the TUN reader formed to a worker (the reader's batch read is over). */
  void submitFormed() {
    if (forming != null) {
      submit(forming);
      forming = null;
    }
  }

  /**
   * Queues the batch in order and seals it: a lone packet here and now (a hand-off to a worker
   * would cost more than sealing it, and its wake-up is latency), more on a worker.
   */
  private void submit(OutboundJob job) {
    int offered = job.count;
    boolean queued = outbound.add(job);
    if (job.count < offered || !queued) {
      device.counters.dropped("outbound queue full", queued ? offered - job.count : offered);
    }
    if (!queued) {
      return;
    }
    if (job.count == 1) {
      job.run();
    } else if (!device.workers.submit(job)) {
      job.complete(); // unsealed: transmitted() drops each, in order, as "not sealed"
      outbound.drain(this::deliverOutbound);
    }
  }

  private void output(Output<Endpoint> o) {
    switch (o) {
      case Output.SendDatagram<Endpoint> d -> {
        if (d.length() > 0) {
          switch (d.datagram()[0]) {
            case 1 -> {
              device.events.count("initiation sent");
              LOG.log(Level.FINE, () -> this + " - Sending handshake initiation");
            }
            case 2 -> {
              device.events.count("response sent");
              LOG.log(Level.FINE, () -> this + " - Sending handshake response");
            }
            default -> {}
          }
        }
        if (device.isUp()) {
          device.sendDatagram(d.datagram(), 0, d.length(), d.destination());
        }
      }
      case Output.DeliverPacket<Endpoint> p -> device.writeTun(p.buf(), p.offset(), p.length());
      case Output.Dropped<Endpoint> d -> {
        device.counters.dropped(d.reason());
        LOG.log(Level.FINE, () -> this + ": dropped, " + d.reason());
      }
    }
  }

  /**
   * The outbound ordered queue's delivery, in counter order: the session accounts for each packet
   * and says where it goes; consecutive datagrams to one endpoint leave in one bind call. Then the
   * buffers are free again.
   */
  void deliverOutbound(OutboundJob job) {
    if (sendBufs == null) {
      sendBufs = new byte[OutboundJob.MAX_PACKETS][];
      sendSizes = new int[OutboundJob.MAX_PACKETS];
    }
    int pending = 0;
    Endpoint to = null;
    for (int i = 0; i < job.count; i++) {
      Output<Endpoint> o = session.transmitted(job.packets[i]);
      if (o instanceof Output.SendDatagram<Endpoint> d) {
        if (pending > 0 && !d.destination().equals(to)) {
          send(pending, to);
          pending = 0;
        }
        to = d.destination();
        sendBufs[pending] = d.datagram();
        sendSizes[pending++] = d.length();
      } else {
        output(o);
      }
    }
    if (pending > 0) {
      send(pending, to);
    }
    for (int i = 0; i < job.count; i++) {
      device.buffers.release(job.packets[i].buffer());
      job.packets[i] = null;
    }
    Arrays.fill(sendBufs, 0, job.count, null);
  }

  private void send(int count, Endpoint to) {
    if (device.isUp()) {
      device.sendDatagrams(sendBufs, sendSizes, count, to);
    }
  }

  /**
   * The inbound ordered queue's delivery, in arrival order: the session checks each message; the
   * batch's packets go to the TUN in one call (which merges TCP segments). Then the buffers are
   * free again.
   */
  void deliverInbound(InboundJob job) {
    if (writeBufs == null) {
      writeBufs = new byte[InboundJob.MAX_MESSAGES][];
      writeSizes = new int[InboundJob.MAX_MESSAGES];
    }
    writes = 0;
    if (!job.skipped) {
      for (int i = 0; i < job.count; i++) {
        session.receiveAuthenticated(job.messages[i], inboundSteps);
      }
    }
    if (writes > 0) {
      device.writeTun(writeBufs, writeSizes, writes);
      Arrays.fill(writeBufs, 0, writes, null);
    }
    for (int i = 0; i < job.count; i++) {
      device.buffers.release(job.messages[i].buffer());
      job.messages[i] = null;
    }
  }

  /** Packets to deliver wait for the batch's write; everything else is carried out at once. */
  private void collectInbound(Step<Endpoint> step) {
    if (step instanceof Output.DeliverPacket<Endpoint> p
        && p.offset() == MESSAGE_TRANSPORT_HEADER_SIZE) {
      writeBufs[writes] = p.buf();
      writeSizes[writes++] = p.length();
    } else {
      run(step);
    }
  }

  @Override
  public String toString() {
    return session.toString();
  }
}
