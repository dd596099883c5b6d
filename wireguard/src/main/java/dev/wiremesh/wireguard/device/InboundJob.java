package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.session.Keypair;

/**
 * One transport message on its way in: opened in place on a crypto worker, then checked (replay,
 * allowed IPs) and written to the TUN in order by its peer's ordered queue.
 */
final class InboundJob extends OrderedQueue.Job implements Runnable {
  final Peer peer;
  final Keypair keypair;
  final long counter;
  final byte[] buf;
  final int datagramLength;
  final Endpoint source;
  int plaintextLength = -1;

  InboundJob(Peer peer, Keypair keypair, byte[] buf, int len, Endpoint source) {
    this.peer = peer;
    this.keypair = keypair;
    this.buf = buf;
    this.datagramLength = len;
    this.source = source;
    this.counter = getLong(buf, TRANSPORT_COUNTER);
  }

  @Override
  public void run() {
    try {
      long now = peer.device.clock.nanoTime();
      if (dev.wiremesh.wireguard.timers.KeyFreshness.usableForReceiving(
          peer.device.timing, keypair.createdNanos(), now)) {
        plaintextLength =
            keypair.open(
                counter, buf, TRANSPORT_DATA, datagramLength - TRANSPORT_DATA, buf, TRANSPORT_DATA);
      }
    } finally {
      complete();
      peer.inbound.drain(peer::deliverInbound);
    }
  }
}
