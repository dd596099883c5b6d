package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.ChaCha20Poly1305;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.session.Keypair;

/**
 * One packet on its way out: on a crypto worker it is padded and sealed in place behind its
 * transport header; then its peer's ordered queue sends it.
 */
final class OutboundJob extends OrderedQueue.Job implements Runnable {
  final Peer peer;
  final Keypair keypair;
  final long counter;
  final int plaintextLength;
  byte[] buf;
  int datagramLength;
  boolean ok;

  /**
   * @param packet the IP packet at offset 16 (header room), or a 16-byte array for a keepalive
   */
  OutboundJob(Peer peer, Keypair keypair, long counter, byte[] packet, Endpoint unused) {
    this.peer = peer;
    this.keypair = keypair;
    this.counter = counter;
    this.buf = packet;
    this.plaintextLength = packet.length - MESSAGE_TRANSPORT_HEADER_SIZE;
  }

  @Override
  public void run() {
    try {
      int mtu = peer.device.mtu();
      // Pad to a multiple of 16, never past the MTU (whitepaper §5.4.6).
      int padded = (plaintextLength + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE;
      if (plaintextLength <= mtu && padded > mtu) {
        padded = Math.max(plaintextLength, mtu);
      }
      int total = MESSAGE_TRANSPORT_HEADER_SIZE + padded + ChaCha20Poly1305.TAG_LENGTH;
      if (buf.length < total) {
        buf = java.util.Arrays.copyOf(buf, total); // zero padding
      }
      putInt(buf, 0, MESSAGE_TRANSPORT_TYPE);
      putInt(buf, TRANSPORT_RECEIVER, keypair.remoteIndex());
      putLong(buf, TRANSPORT_COUNTER, counter);
      int n = keypair.seal(counter, buf, TRANSPORT_DATA, padded, buf, TRANSPORT_DATA);
      datagramLength = TRANSPORT_DATA + n;
      ok = true;
    } finally {
      complete();
      peer.outbound.drain(peer::deliverOutbound);
    }
  }

  /** Marks the job failed (it will be skipped in order). */
  void fail() {
    ok = false;
    complete();
  }
}
