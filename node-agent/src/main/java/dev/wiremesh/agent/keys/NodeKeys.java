package dev.wiremesh.agent.keys;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's static keys: the current one, and during a rotation either the next one (prepared,
 * answered, not yet used to initiate) or the previous one (committed away from, still answered).
 * Never both.
 */
public record NodeKeys(NoisePrivateKey current, NoisePrivateKey next, NoisePrivateKey previous) {
  public NodeKeys {
    if (current == null) {
      throw new IllegalArgumentException("a node always has a current key");
    }
    if (next != null && previous != null) {
      throw new IllegalArgumentException("a node holds a next or a previous key, not both");
    }
  }

  public static NodeKeys of(NoisePrivateKey current) {
    return new NodeKeys(current, null, null);
  }

  /** The key the device holds besides the current one: the next or the previous; or null. */
  public NoisePrivateKey second() {
    return next != null ? next : previous;
  }

  /** Every public key the node holds (a peer can have none of them). */
  public List<NoisePublicKey> publicKeys() {
    List<NoisePublicKey> out = new ArrayList<>(3);
    out.add(current.publicKey());
    if (second() != null) {
      out.add(second().publicKey());
    }
    return out;
  }

  @Override
  public String toString() {
    return "NodeKeys[current="
        + current.publicKey()
        + (next == null ? "" : ", next=" + next.publicKey())
        + (previous == null ? "" : ", previous=" + previous.publicKey())
        + "]";
  }
}
