package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.crypto.ChaCha20Poly1305;
import dev.wiremesh.wireguard.message.Messages;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.session.Inbound;

/**
 * A batch of transport messages from one peer on their way in, in arrival order: one crypto worker
 * opens them all; then the peer's ordered queue hands the batch, in order, to the peer's session,
 * which checks each and says what to deliver.
 */
final class InboundJob extends OrderedQueue.Job implements Runnable {
  /** The most messages in one batch. */
  static final int MAX_MESSAGES = 64;

  final Peer peer;

  @SuppressWarnings("unchecked")
  final Inbound<Endpoint>[] messages = new Inbound[MAX_MESSAGES];

  int count;

  /** Set when no worker took the job: it is skipped, in order, without reaching the session. */
  volatile boolean skipped;

  InboundJob(Peer peer) {
    this.peer = peer;
  }

  void add(Inbound<Endpoint> message) {
    messages[count++] = message;
  }

  boolean isFull() {
    return count == MAX_MESSAGES;
  }

  @Override
  public void run() {
    try {
      long now = peer.device.clock.nanoTime();
      for (int i = 0; i < count; i++) {
        messages[i].open(peer.device.timing, now);
      }
    } finally {
      complete();
      peer.inbound.drain(peer::deliverInbound);
    }
  }

  @Override
  int packets() {
    return count;
  }

  /** A transport message's size around a plaintext of OrderedQueue#SMALL_PACKET bytes. */
  private static final int SMALL_MESSAGE =
      Messages.MESSAGE_TRANSPORT_HEADER_SIZE
          + OrderedQueue.SMALL_PACKET
          + ChaCha20Poly1305.TAG_LENGTH;

  @Override
  void shedBulk() {
    int kept = 0;
    for (int i = 0; i < count; i++) {
      if (messages[i].datagramLength() <= SMALL_MESSAGE) {
        messages[kept++] = messages[i];
      } else {
        peer.device.buffers.release(messages[i].buffer());
      }
    }
    java.util.Arrays.fill(messages, kept, count, null);
    count = kept;
  }
}
