/**
 * Time in the protocol core: the injected {@link dev.wiremesh.wireguard.timers.Clock}, the
 * whitepaper's constants ({@link dev.wiremesh.wireguard.timers.ProtocolConstants}) and their
 * per-device scaling ({@link dev.wiremesh.wireguard.timers.ProtocolTiming}), each peer's timers as
 * a pure state machine ({@link dev.wiremesh.wireguard.timers.PeerTimers}, returning {@link
 * dev.wiremesh.wireguard.timers.TimerAction}s) and the age- and count-based rekey rules ({@link
 * dev.wiremesh.wireguard.timers.KeyFreshness}). No threads, no I/O.
 */
package dev.wiremesh.wireguard.timers;
