package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.session.Outbound;

/**
 * A batch of packets on their way out to one peer, in counter order: one crypto worker seals them
 * all; then the peer's ordered queue hands the batch, in order, to the peer's session and the bind,
 * which sends runs of equal-size datagrams in one system call.
 */
final class OutboundJob extends OrderedQueue.Job implements Runnable {
  /** The most packets in one batch: what one UDP_SEGMENT send carries. */
  static final int MAX_PACKETS = 64;

  final Peer peer;
  final Outbound[] packets;
  int count;

  OutboundJob(Peer peer, int capacity) {
    this.peer = peer;
    this.packets = new Outbound[capacity];
  }

  /** A batch of one. */
  static OutboundJob of(Peer peer, Outbound packet) {
    OutboundJob job = new OutboundJob(peer, 1);
    job.add(packet);
    return job;
  }

  void add(Outbound packet) {
    packets[count++] = packet;
  }

  boolean isFull() {
    return count == packets.length;
  }

  @Override
  public void run() {
    try {
      int mtu = peer.device.mtu();
      for (int i = 0; i < count; i++) {
        packets[i].seal(mtu);
      }
    } finally {
      complete();
      peer.outbound.drain(peer::deliverOutbound);
    }
  }

  @Override
  int packets() {
    return count;
  }

  @Override
  void shedBulk() {
    int kept = 0;
    for (int i = 0; i < count; i++) {
      if (packets[i].plaintextLength() <= OrderedQueue.SMALL_PACKET) {
        packets[kept++] = packets[i];
      }
    }
    java.util.Arrays.fill(packets, kept, count, null);
    count = kept;
  }
}
