package dev.wiremesh.wireguard.rotation;

import dev.wiremesh.wireguard.cookie.CookieChecker;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.Clock;

/**
 * An interface's static keys: the primary one, which it reports and initiates with by default, and
 * during a key rotation a second one that handshake initiations may address as well. Each key has
 * its own {@link CookieChecker} (MAC1, MAC2 and cookie replies are keyed by the receiver's public
 * key). Immutable: every change makes a new value, keeping the checkers of the keys it keeps.
 */
public final class StaticKeys {
  /** A static key with the cookie checker for messages addressed to it. */
  public record Addressed(LocalIdentity identity, CookieChecker checker) {
    @Override
    public String toString() {
      return "Addressed[" + identity.publicKey() + "]";
    }
  }

  private final Addressed primary;
  private final Addressed second; // null outside a rotation

  private StaticKeys(Addressed primary, Addressed second) {
    this.primary = primary;
    this.second = second;
  }

  /** One static key. */
  public static StaticKeys of(NoisePrivateKey key, Clock clock) {
    return new StaticKeys(addressed(LocalIdentity.of(key), clock), null);
  }

  private static Addressed addressed(LocalIdentity id, Clock clock) {
    return new Addressed(id, new CookieChecker(id.publicKey(), clock));
  }

  /** These keys with {@code next} as the second one (replacing any second key). */
  public StaticKeys withSecond(NoisePrivateKey next, Clock clock) {
    if (next.publicKey().equals(primary.identity().publicKey())) {
      throw new IllegalArgumentException("the second static key must differ from the primary");
    }
    if (second != null && second.identity().publicKey().equals(next.publicKey())) {
      return this;
    }
    return new StaticKeys(primary, addressed(LocalIdentity.of(next), clock));
  }

  /** The second key becomes the primary; the former primary stays as the second. */
  public StaticKeys promoted() {
    if (second == null) {
      throw new IllegalStateException("there is no second static key to promote");
    }
    return new StaticKeys(second, primary);
  }

  /** Only the primary key. */
  public StaticKeys withoutSecond() {
    return second == null ? this : new StaticKeys(primary, null);
  }

  public LocalIdentity primary() {
    return primary.identity();
  }

  /** The second key, or null outside a rotation. */
  public LocalIdentity second() {
    return second == null ? null : second.identity();
  }

  /** The key other than {@code id} when there are two, else null. */
  public LocalIdentity other(LocalIdentity id) {
    if (second == null || id == null) {
      return null;
    }
    return id.publicKey().equals(primary.identity().publicKey())
        ? second.identity()
        : primary.identity();
  }

  /** The key with public key {@code key}, or null if these keys do not hold it. */
  public LocalIdentity find(NoisePublicKey key) {
    if (primary.identity().publicKey().equals(key)) {
      return primary.identity();
    }
    return second != null && second.identity().publicKey().equals(key) ? second.identity() : null;
  }

  /**
   * The key a handshake message (initiation or response) is addressed to, with its checker: the one
   * its MAC1 verifies under, or null when neither does (the message is dropped silently).
   */
  public Addressed addressedBy(byte[] msg, int len) {
    if (primary.checker().checkMac1(msg, len)) {
      return primary;
    }
    return second != null && second.checker().checkMac1(msg, len) ? second : null;
  }

  @Override
  public String toString() {
    return "StaticKeys[primary="
        + primary.identity().publicKey()
        + (second == null ? "" : ", second=" + second.identity().publicKey())
        + "]";
  }
}
