package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.session.Outbound;

/**
 * One packet on its way out: a crypto worker seals it; then its peer's ordered queue hands it, in
 * counter order, to the peer's session and the bind.
 */
final class OutboundJob extends OrderedQueue.Job implements Runnable {
  final Peer peer;
  final Outbound outbound;

  OutboundJob(Peer peer, Outbound outbound) {
    this.peer = peer;
    this.outbound = outbound;
  }

  @Override
  public void run() {
    try {
      outbound.seal(peer.device.mtu());
    } finally {
      complete();
      peer.outbound.drain(peer::deliverOutbound);
    }
  }
}
