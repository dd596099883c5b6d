package dev.wiremesh.wireguard.session;

/**
 * What one of {@link PeerSession}'s fine-grained steps asks its caller to do: an {@link Output}, or
 * a {@link Seal} — a transport packet whose counter and keypair are chosen and which must be sealed
 * ({@link Outbound#seal}) and then handed back, in counter order, to {@link
 * PeerSession#transmitted}. The synchronous API ({@link PeerSession#encapsulate} and friends) does
 * the sealing itself and returns only outputs.
 *
 * @param <E> the endpoint type
 */
public sealed interface Step<E> permits Output, Step.Seal {
  /** A packet to seal, on any thread, then to pass to {@link PeerSession#transmitted} in order. */
  record Seal<E>(Outbound job) implements Step<E> {}
}
