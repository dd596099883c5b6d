package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.ChaCha20Poly1305;
import java.util.Arrays;

/**
 * One transport packet on its way out. It owns its buffer: the IP packet behind 16 bytes of room
 * for the transport header. The session gives it a keypair and counter when a session allows;
 * {@link #seal} then pads and encrypts it in place (on any thread), after which it goes back to
 * {@link PeerSession#transmitted} in counter order.
 */
public final class Outbound {
  final int plaintextLength;
  private Keypair keypair;
  private long counter;
  private byte[] buf;
  private int datagramLength;
  private volatile boolean sealed;

  /**
   * @param buf the IP packet at {@code buf[16, 16 + length)}
   */
  Outbound(byte[] buf, int length) {
    this.buf = buf;
    this.plaintextLength = length;
  }

  /** The IP packet's length, before padding and sealing. */
  public int plaintextLength() {
    return plaintextLength;
  }

  /** An empty transport message. */
  static Outbound keepalive() {
    return new Outbound(new byte[MESSAGE_TRANSPORT_HEADER_SIZE], 0);
  }

  /** The session chose the keypair and counter (before the job goes to a worker). */
  void assign(Keypair keypair, long counter) {
    this.keypair = keypair;
    this.counter = counter;
  }

  /**
   * Pads the packet with zeros (never past {@code mtu}) and seals it under its keypair and counter.
   */
  public void seal(int mtu) {
    // Pad to a multiple of 16, never past the MTU (whitepaper §5.4.6).
    int padded = (plaintextLength + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE;
    if (plaintextLength <= mtu && padded > mtu) {
      padded = Math.max(plaintextLength, mtu);
    }
    int total = MESSAGE_TRANSPORT_HEADER_SIZE + padded + ChaCha20Poly1305.TAG_LENGTH;
    if (buf.length < total) {
      buf = Arrays.copyOf(buf, total);
    }
    // A reused buffer holds an earlier packet's bytes: the padding must not carry them.
    Arrays.fill(buf, TRANSPORT_DATA + plaintextLength, TRANSPORT_DATA + padded, (byte) 0);
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

  /** The buffer, which holds the datagram once sealed; free again once the datagram is sent. */
  public byte[] buffer() {
    return buf;
  }

  int datagramLength() {
    return datagramLength;
  }
}
