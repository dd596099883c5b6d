package dev.wiremesh.wireguard.session;

import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What the peer sessions of one interface share.
 *
 * @param identity the interface's static key pair, null while it has none (no handshakes then)
 * @param indices the interface's receiver-index table: owners are {@link PeerSession}s (pending
 *     handshakes) and {@link SessionIndex}es (keypairs)
 * @param clock all time comes from here
 * @param timing the protocol's timing constants (scaled in tests)
 * @param mtu the tunnel's MTU, for padding (whitepaper §5.4.6)
 * @param retryEndpoint what a handshake retry does to the endpoint (the device forgets its sticky
 *     source address so the kernel may pick a fresh route); identity when there is nothing to do
 * @param otherIdentity during a key rotation, the interface's static key other than the one given
 *     (an unanswered initiation is retried with it); null otherwise
 * @param <E> the endpoint type
 */
public record SessionContext<E>(
    Supplier<LocalIdentity> identity,
    IndexTable<Object> indices,
    Clock clock,
    ProtocolTiming timing,
    IntSupplier mtu,
    UnaryOperator<E> retryEndpoint,
    UnaryOperator<LocalIdentity> otherIdentity) {

  /** For an interface with one static key. */
  public SessionContext(
      Supplier<LocalIdentity> identity,
      IndexTable<Object> indices,
      Clock clock,
      ProtocolTiming timing,
      IntSupplier mtu,
      UnaryOperator<E> retryEndpoint) {
    this(identity, indices, clock, timing, mtu, retryEndpoint, id -> null);
  }
}
