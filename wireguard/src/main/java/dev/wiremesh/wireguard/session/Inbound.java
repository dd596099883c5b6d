package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.timers.KeyFreshness;
import dev.wiremesh.wireguard.timers.ProtocolTiming;

/**
 * One transport message on its way in: {@link #open} decrypts it in place (on any thread); then
 * {@link PeerSession#receiveAuthenticated} checks and delivers it, in arrival order.
 *
 * @param <E> the endpoint type
 */
public final class Inbound<E> {
  final PeerSession<E> session;
  final Keypair keypair;
  final long counter;
  final byte[] buf;
  final int datagramLength;
  final E source;
  private volatile int plaintextLength = -1;

  Inbound(PeerSession<E> session, Keypair keypair, byte[] buf, int len, E source) {
    this.session = session;
    this.keypair = keypair;
    this.buf = buf;
    this.datagramLength = len;
    this.source = source;
    this.counter = getLong(buf, TRANSPORT_COUNTER);
  }

  /** The message's buffer, which the job owns until {@link PeerSession#receiveAuthenticated}. */
  public byte[] buffer() {
    return buf;
  }

  /**
   * False for a message whose counter its keypair has already seen or left behind: a replay, to
   * drop before it costs a decryption or a place in the queue (its counter is not authenticated
   * yet, so a true here decides nothing).
   */
  public boolean mayBeFresh() {
    return keypair.mayAccept(counter);
  }

  /** The datagram's length: the transport message, sealed. */
  public int datagramLength() {
    return datagramLength;
  }

  /** The session the message's receiver index names. */
  public PeerSession<E> session() {
    return session;
  }

  /**
   * Authenticates and decrypts the payload in place, unless the keypair is too old to receive
   * (REJECT_AFTER_TIME); a failure leaves the job unauthenticated, to be dropped in order.
   */
  public void open(ProtocolTiming timing, long now) {
    if (KeyFreshness.usableForReceiving(timing, keypair.createdNanos(), now)) {
      plaintextLength =
          keypair.open(
              counter, buf, TRANSPORT_DATA, datagramLength - TRANSPORT_DATA, buf, TRANSPORT_DATA);
    }
  }

  int plaintextLength() {
    return plaintextLength;
  }
}
