package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import java.util.List;

/**
 * A {@link PeerSession}'s key material and the receiver indices that name it: the handshake in
 * progress, the cookie for our MAC2s, and the keypairs. Every change of a handshake into a keypair
 * registers, swaps and frees indices in the device's table here, so nothing stays reachable by an
 * index once forgotten. The session decides when; this class knows how. Thread-safe.
 */
final class PeerKeys {
  private final PeerSession<?> owner;
  private final SessionContext<?> context;
  final Handshake handshake;
  final CookieGenerator cookieGenerator;
  final Keypairs keypairs = new Keypairs();
  private int handshakeIndex; // our pending initiation's index, 0 if none; guarded by this

  PeerKeys(PeerSession<?> owner, NoisePublicKey remoteStatic, SessionContext<?> context) {
    this.owner = owner;
    this.context = context;
    this.handshake = new Handshake(remoteStatic, context.identity().get());
    this.cookieGenerator = new CookieGenerator(remoteStatic, context.clock());
  }

  /** A new initiation with its MACs under a fresh index (the previous one is freed); or null. */
  synchronized byte[] createInitiation() {
    IndexTable<Object> indices = context.indices();
    if (handshakeIndex != 0) {
      indices.delete(handshakeIndex, owner);
    }
    int index = indices.insertNew(owner);
    var created = handshake.createMessageInitiation(initiatingIdentity(), index, context.clock());
    if (created.isEmpty()) {
      indices.delete(index, owner);
      handshakeIndex = 0;
      return null;
    }
    handshakeIndex = index;
    byte[] msg = created.get();
    cookieGenerator.addMacs(msg);
    return msg;
  }

  /**
   * The static key to initiate with: the peer's own choice while the interface holds it, else the
   * primary (a key dropped after a rotation is never used again).
   */
  private LocalIdentity initiatingIdentity() {
    LocalIdentity chosen = handshake.localIdentity();
    LocalIdentity primary = context.identity().get();
    if (primary == null) {
      return null;
    }
    LocalIdentity other = context.otherIdentity().apply(primary);
    if (chosen != null
        && (chosen.publicKey().equals(primary.publicKey())
            || other != null && chosen.publicKey().equals(other.publicKey()))) {
      return chosen;
    }
    handshake.useLocalIdentity(primary);
    return primary;
  }

  /**
   * After the handshake consumed an initiation: the response, with its MACs, and our keypair as
   * responder, installed as the candidate under the response's index; or null.
   */
  synchronized byte[] createResponse() {
    IndexTable<Object> indices = context.indices();
    int index = indices.insertNew(owner);
    var created = handshake.createMessageResponse(index);
    if (created.isEmpty()) {
      indices.delete(index, owner);
      return null;
    }
    byte[] msg = created.get();
    cookieGenerator.addMacs(msg);
    var derived = handshake.beginSymmetricSession(context.clock());
    if (derived.isEmpty()) {
      indices.delete(index, owner);
      return null;
    }
    Keypair kp = derived.get();
    indices.swap(index, owner, new SessionIndex(owner, kp));
    forget(keypairs.install(kp));
    return msg;
  }

  /**
   * A response (MACs checked) to our pending initiation: true when it was, and our keypair as
   * initiator is now current under the initiation's index.
   */
  boolean consumeResponse(byte[] msg) {
    LocalIdentity id = context.identity().get();
    var hs =
        Handshake.consumeMessageResponse(
            id, msg, index -> index != 0 && index == pendingIndex() ? handshake : null);
    if (hs.isEmpty()) {
      return false;
    }
    synchronized (this) {
      var derived = handshake.beginSymmetricSession(context.clock());
      if (derived.isEmpty()) {
        return false; // a new initiation replaced the one answered
      }
      Keypair kp = derived.get();
      context.indices().swap(handshakeIndex, owner, new SessionIndex(owner, kp));
      handshakeIndex = 0;
      forget(keypairs.install(kp));
    }
    return true;
  }

  private synchronized int pendingIndex() {
    return handshakeIndex;
  }

  /** The peer's static key changed to {@code next}: handshake and MACs follow, keypairs stay. */
  void rekeyRemote(NoisePublicKey next) {
    handshake.rekeyRemote(next);
    cookieGenerator.rekey(next);
  }

  /** A cookie reply naming one of our indices: true if it decrypted (our next MAC2 uses it). */
  boolean consumeCookieReply(byte[] msg) {
    if (type(msg, msg.length) != MESSAGE_COOKIE_REPLY_TYPE) {
      return false;
    }
    Object o = context.indices().lookup(getInt(msg, COOKIE_RECEIVER));
    boolean ours = o == owner || o instanceof SessionIndex s && s.session() == owner;
    return ours && cookieGenerator.consumeReply(msg);
  }

  /** A transport message authenticated under {@code kp}: true if that confirmed our candidate. */
  boolean received(Keypair kp) {
    return keypairs.received(kp, this::forget);
  }

  /** Forgets every keypair and the handshake's secrets, and frees their indices. */
  synchronized void zero() {
    forget(keypairs.clear());
    if (handshakeIndex != 0) {
      context.indices().delete(handshakeIndex, owner);
      handshakeIndex = 0;
    }
    handshake.clear();
  }

  private void forget(List<Keypair> dropped) {
    dropped.forEach(this::forget);
  }

  private void forget(Keypair k) {
    context.indices().delete(k.localIndex(), new SessionIndex(owner, k));
  }
}
