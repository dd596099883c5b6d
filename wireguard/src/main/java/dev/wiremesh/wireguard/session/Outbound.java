package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.ChaCha20Poly1305;
import java.util.Arrays;

/**
 * One transport packet on its way out: its keypair and counter are chosen; {@link #seal} pads and
 * encrypts it in place behind its transport header (on any thread), after which it goes back to
 * {@link PeerSession#transmitted} in counter order.
 */
public final class Outbound {
  final Keypair keypair;
  final long counter;
  final int plaintextLength;
  private byte[] buf;
  private int datagramLength;
  private volatile boolean sealed;

  /**
   * @param packet the IP packet at offset 16 (header room), or a 16-byte array for a keepalive
   */
  Outbound(Keypair keypair, long counter, byte[] packet) {
    this.keypair = keypair;
    this.counter = counter;
    this.buf = packet;
    this.plaintextLength = packet.length - MESSAGE_TRANSPORT_HEADER_SIZE;
  }

  /** Pads the packet (never past {@code mtu}) and seals it under its keypair and counter. */
  public void seal(int mtu) {
    // Pad to a multiple of 16, never past the MTU (whitepaper §5.4.6).
    int padded = (plaintextLength + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE;
    if (plaintextLength <= mtu && padded > mtu) {
      padded = Math.max(plaintextLength, mtu);
    }
    int total = MESSAGE_TRANSPORT_HEADER_SIZE + padded + ChaCha20Poly1305.TAG_LENGTH;
    if (buf.length < total) {
      buf = Arrays.copyOf(buf, total); // zero padding
    }
    putInt(buf, 0, MESSAGE_TRANSPORT_TYPE);
    putInt(buf, TRANSPORT_RECEIVER, keypair.remoteIndex());
    putLong(buf, TRANSPORT_COUNTER, counter);
    int n = keypair.seal(counter, buf, TRANSPORT_DATA, padded, buf, TRANSPORT_DATA);
    datagramLength = TRANSPORT_DATA + n;
    sealed = true;
  }

  /** True once {@link #seal} succeeded; a job that failed (or was never sealed) is dropped. */
  public boolean isSealed() {
    return sealed;
  }

  public boolean isKeepalive() {
    return plaintextLength == 0;
  }

  byte[] datagram() {
    return buf;
  }

  int datagramLength() {
    return datagramLength;
  }
}
