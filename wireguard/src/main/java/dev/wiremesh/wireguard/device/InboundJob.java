package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.session.Inbound;

/**
 * One transport message on its way in: a crypto worker opens it; then its peer's ordered queue
 * hands it, in arrival order, to the peer's session, which checks it and says what to deliver.
 */
final class InboundJob extends OrderedQueue.Job implements Runnable {
  final Peer peer;
  final Inbound<Endpoint> inbound;

  /** Set when no worker took the job: it is skipped, in order, without reaching the session. */
  volatile boolean skipped;

  InboundJob(Peer peer, Inbound<Endpoint> inbound) {
    this.peer = peer;
    this.inbound = inbound;
  }

  @Override
  public void run() {
    try {
      inbound.open(peer.device.timing, peer.device.clock.nanoTime());
    } finally {
      complete();
      peer.inbound.drain(peer::deliverInbound);
    }
  }
}
