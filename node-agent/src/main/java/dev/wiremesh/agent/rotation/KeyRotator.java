package dev.wiremesh.agent.rotation;

import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.agent.keys.KeyStore;
import dev.wiremesh.agent.keys.NodeKeys;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Carries out the operator's rotation steps on the node: {@link #prepare}, {@link #commit}, {@link
 * #finish}. Each step is idempotent (a repeated one after a restart of either side changes
 * nothing), writes the key files first and then moves the device, so what is on disk is always at
 * least as far as what the peers were told. Thread-safe.
 */
public final class KeyRotator {
  private static final Logger LOG = Logger.getLogger(KeyRotator.class.getName());

  private final Path stateDir;
  private final DeviceManager manager;

  public KeyRotator(Path stateDir, DeviceManager manager) {
    this.stateDir = stateDir;
    this.manager = manager;
  }

  /**
   * Generates the next key unless one is held, stores it 0600 beside the current one, and has the
   * device answer initiations addressed to it.
   *
   * @throws RotationConflictException while a previous key is still held (finish that first)
   */
  public synchronized NodeKeys prepare() throws IOException, RotationConflictException {
    NodeKeys keys = manager.keys();
    if (keys.next() != null) {
      return keys;
    }
    if (keys.previous() != null) {
      throw new RotationConflictException(
          "the previous rotation is not finished: the previous key "
              + keys.previous().publicKey()
              + " is still held (finish with publicKey "
              + keys.current().publicKey()
              + " first)");
    }
    NoisePrivateKey next = KeyStore.createNext(stateDir);
    NodeKeys prepared = new NodeKeys(keys.current(), next, null);
    manager.setKeys(prepared);
    LOG.info("key rotation: next public key " + next.publicKey() + " prepared");
    return prepared;
  }

  /**
   * The next key, {@code publicKey}, becomes the node's key; the former one is still answered.
   *
   * @throws RotationConflictException if the node holds no next key {@code publicKey}
   */
  public synchronized NodeKeys commit(String publicKey)
      throws IOException, RotationConflictException {
    NodeKeys keys = manager.keys();
    if (keys.current().publicKey().toBase64().equals(publicKey)) {
      return keys; // committed already
    }
    if (keys.next() == null || !keys.next().publicKey().toBase64().equals(publicKey)) {
      throw new RotationConflictException(
          "publicKey "
              + publicKey
              + " is not this node's next key ("
              + (keys.next() == null ? "none is prepared" : keys.next().publicKey())
              + ")");
    }
    KeyStore.commitNext(stateDir);
    NodeKeys committed = new NodeKeys(keys.next(), null, keys.current());
    manager.setKeys(committed);
    LOG.info("key rotation: public key " + publicKey + " committed");
    return committed;
  }

  /**
   * Forgets the previous key: its file is overwritten and deleted, the device drops it and zeroes
   * it. {@code publicKey} must be the node's current key (the one that stays).
   *
   * @throws RotationConflictException if it is not
   */
  public synchronized NodeKeys finish(String publicKey)
      throws IOException, RotationConflictException {
    NodeKeys keys = manager.keys();
    if (!keys.current().publicKey().toBase64().equals(publicKey)) {
      throw new RotationConflictException(
          "publicKey "
              + publicKey
              + " is not this node's key ("
              + keys.current().publicKey()
              + ")");
    }
    if (keys.previous() == null) {
      return keys;
    }
    KeyStore.deletePrevious(stateDir);
    NodeKeys finished = NodeKeys.of(keys.current());
    manager.setKeys(finished);
    keys.previous().destroy();
    LOG.info("key rotation: previous key dropped, " + publicKey + " stays");
    return finished;
  }
}
