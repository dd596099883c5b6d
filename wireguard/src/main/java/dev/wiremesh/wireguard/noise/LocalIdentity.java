package dev.wiremesh.wireguard.noise;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;

/**
 * The device's static key pair, as the handshake needs it. Immutable: a private-key change makes a
 * new identity, and every peer's handshake is recomputed against it.
 */
public record LocalIdentity(NoisePrivateKey privateKey, NoisePublicKey publicKey) {
  public static LocalIdentity of(NoisePrivateKey privateKey) {
    return new LocalIdentity(privateKey, privateKey.publicKey());
  }

  @Override
  public String toString() {
    return "LocalIdentity[" + publicKey + "]";
  }
}
