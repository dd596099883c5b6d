package dev.wiremesh.wireguard.session;

/**
 * What a {@link PeerSession} tells its caller to do with the result of a call: send a datagram to
 * an endpoint, deliver a decrypted IP packet to the tunnel interface, or count a drop. The session
 * does no I/O itself.
 *
 * @param <E> the endpoint type
 */
public sealed interface Output<E> extends Step<E>
    permits Output.SendDatagram, Output.DeliverPacket, Output.Dropped {

  /** Send {@code datagram[0, length)} over UDP to {@code destination}. */
  record SendDatagram<E>(byte[] datagram, int length, E destination) implements Output<E> {}

  /** Write the IP packet {@code buf[offset, offset + length)} to the tunnel interface. */
  record DeliverPacket<E>(byte[] buf, int offset, int length) implements Output<E> {}

  /** Something was dropped, for {@code reason} (an operator's counter; no key material in it). */
  record Dropped<E>(String reason) implements Output<E> {}
}
