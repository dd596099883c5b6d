package dev.wiremesh.wireguard.session;

import java.util.ArrayList;
import java.util.List;

/**
 * A peer's sessions (whitepaper §5.4.5 and §6.1): {@code current} sends; {@code previous} still
 * receives what was in flight when a new session began; {@code next} is the responder's new
 * session, a candidate until the initiator proves it holds the keys by sending under it.
 * Thread-safe.
 */
public final class Keypairs {
  private Keypair previous;
  private Keypair current;
  private Keypair next;

  /**
   * Installs a freshly derived keypair and returns the keypairs it displaces, which the caller must
   * forget (remove from the index table). As initiator the new keypair becomes current at once (the
   * responder proved itself with its response); as responder it waits in {@code next}.
   */
  public synchronized List<Keypair> install(Keypair keypair) {
    List<Keypair> dropped = new ArrayList<>(2);
    Keypair prev0 = previous;
    if (keypair.isInitiator()) {
      if (next != null) {
        // As wireguard-go: the unconfirmed candidate may still receive, the old current goes.
        if (current != null) {
          dropped.add(current);
        }
        previous = next;
        next = null;
      } else {
        previous = current;
      }
      current = keypair;
      if (prev0 != null && prev0 != previous) {
        dropped.add(prev0);
      }
    } else {
      if (next != null) {
        dropped.add(next);
      }
      next = keypair;
      if (previous != null) {
        dropped.add(previous);
        previous = null;
      }
    }
    dropped.forEach(Keypair::expire);
    return dropped;
  }

  /**
   * Called when a transport message authenticated under {@code keypair}: if it is the candidate, it
   * becomes current (the handshake is confirmed); the keypair that falls out, if any, goes to
   * {@code dropped} for the caller to forget.
   *
   * @return true when this message confirmed the candidate
   */
  public synchronized boolean received(
      Keypair keypair, java.util.function.Consumer<Keypair> dropped) {
    if (keypair != next) {
      return false;
    }
    Keypair old = previous;
    previous = current;
    current = next;
    next = null;
    if (old != null) {
      old.expire();
      dropped.accept(old);
    }
    return true;
  }

  /** The keypair to send with, or null. */
  public synchronized Keypair current() {
    return current;
  }

  public synchronized Keypair next() {
    return next;
  }

  public synchronized Keypair previous() {
    return previous;
  }

  /**
   * Removes and expires every keypair (key material zeroed, a private-key change); returns them.
   */
  public synchronized List<Keypair> clear() {
    List<Keypair> all = new ArrayList<>(3);
    for (Keypair k : new Keypair[] {previous, current, next}) {
      if (k != null) {
        k.expire();
        all.add(k);
      }
    }
    previous = current = next = null;
    return all;
  }
}
