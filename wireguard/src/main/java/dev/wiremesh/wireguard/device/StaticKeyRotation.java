package dev.wiremesh.wireguard.device;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.rotation.StaticKeys;
import java.util.Optional;

/**
 * A {@link Device}'s static-key rotation, as a library API (the UAPI knows nothing of it). The
 * rotating node holds its old and its new key at once: {@link #addSecondKey} (both answered, the
 * old one still used to initiate), {@link #promoteSecondKey} (the new one initiates, the old one is
 * still answered), {@link #dropSecondKey} (the old one is forgotten). Its peers learn the new
 * public key by {@link #rekeyPeer}, in place. Keypairs do not depend on the static keys, so no step
 * drops a session: each peer moves over at its next handshake.
 *
 * <p>Which key a peer is initiated with is chosen per peer: the key its last accepted initiation
 * addressed (it evidently knows that one), else the primary; an initiation left unanswered while
 * two keys are held is retried with the other key. Every method holds the device's config lock.
 */
public final class StaticKeyRotation {
  private final Device device;

  StaticKeyRotation(Device device) {
    this.device = device;
  }

  /**
   * Adds {@code next} as the second static key: handshake initiations addressed to it are accepted
   * and answered under it. Peers are still initiated with the primary key, which is still the one
   * reported. Replaces a second key held already.
   *
   * @throws IllegalStateException without a primary key
   */
  public void addSecondKey(NoisePrivateKey next) {
    synchronized (device.configLock) {
      device.setStaticKeys(requireKeys().withSecond(next, device.clock));
    }
  }

  /**
   * The second key becomes the primary: it is reported, and every peer is initiated with it from
   * now on; the former primary is still answered (peers that have not learned the new key yet, such
   * as external peers in their grace period; their retries fall back to it).
   *
   * @throws IllegalStateException without a second key
   */
  public void promoteSecondKey() {
    synchronized (device.configLock) {
      StaticKeys next = requireKeys().promoted();
      device.setStaticKeys(next);
      for (Peer p : device.peers()) {
        p.session.useLocalIdentity(next.primary());
      }
    }
  }

  /**
   * Forgets the second key and zeroes it. Peers initiated with it move to the primary; their
   * current sessions go on until their next handshake. Nothing if there is none.
   */
  public void dropSecondKey() {
    synchronized (device.configLock) {
      StaticKeys keys = device.staticKeys();
      if (keys == null || keys.second() == null) {
        return;
      }
      LocalIdentity dropped = keys.second();
      StaticKeys next = keys.withoutSecond();
      device.setStaticKeys(next);
      for (Peer p : device.peers()) {
        LocalIdentity used = p.session.localIdentity();
        if (used != null && used.publicKey().equals(dropped.publicKey())) {
          p.session.useLocalIdentity(next.primary());
        }
      }
      dropped.privateKey().destroy();
    }
  }

  /** The second key's public key while one is held. */
  public Optional<NoisePublicKey> secondPublicKey() {
    StaticKeys keys = device.staticKeys();
    return keys == null || keys.second() == null
        ? Optional.empty()
        : Optional.of(keys.second().publicKey());
  }

  /**
   * Which of our public keys the last handshake with {@code peer} used (the key it knows us by), or
   * empty before any handshake.
   *
   * @throws IllegalArgumentException if there is no such peer
   */
  public Optional<NoisePublicKey> keyUsedBy(NoisePublicKey peer) {
    Peer p = device.peer(peer);
    if (p == null) {
      throw new IllegalArgumentException("no peer " + peer);
    }
    LocalIdentity id = p.session.lastHandshakeIdentity();
    return id == null ? Optional.empty() : Optional.of(id.publicKey());
  }

  /**
   * The peer {@code current} rotated its key to {@code next}: its entry takes the new key in place
   * (the same sessions, endpoint, allowed IPs, timers and counters; no remove-and-add), so its
   * current sessions carry traffic until its next handshake, which uses the new key.
   *
   * @throws IllegalArgumentException if there is no peer {@code current}, a peer {@code next}
   *     exists already, or {@code next} is one of this interface's own keys
   */
  public void rekeyPeer(NoisePublicKey current, NoisePublicKey next) {
    synchronized (device.configLock) {
      device.rekeyPeer(current, next);
    }
  }

  private StaticKeys requireKeys() {
    StaticKeys keys = device.staticKeys();
    if (keys == null) {
      throw new IllegalStateException("the device has no private key");
    }
    return keys;
  }
}
