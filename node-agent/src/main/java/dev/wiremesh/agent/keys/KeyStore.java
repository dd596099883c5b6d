package dev.wiremesh.agent.keys;

import dev.wiremesh.agent.state.AtomicFiles;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;

/**
 * The node's WireGuard private key, in its state folder ({@code private.key}, base64 as {@code wg
 * genkey} writes it, mode 0600). Generated once, on first start; never leaves the process: only the
 * public key is reported, and no message here holds the key.
 *
 * <p>During a key rotation (docs/key-rotation.md) the next key waits beside it in {@code next.key},
 * written before it is ever announced; committing renames {@code private.key} to {@code
 * previous.key}, then {@code next.key} to {@code private.key} (each rename atomic, so a crash
 * between them is finished at the next start); finishing renames {@code previous.key} to {@code
 * dropped.key}, then overwrites that with zeros and deletes it (a crash in between is finished at
 * the next start: a half-zeroed {@code previous.key} would keep the agent from starting).
 */
public final class KeyStore {
  public static final String FILE = "private.key";
  public static final String NEXT_FILE = "next.key";
  public static final String PREVIOUS_FILE = "previous.key";
  public static final String DROPPED_FILE = "dropped.key";

  private KeyStore() {}

  /** Loads the key, or generates and stores one if there is none. */
  public static NoisePrivateKey loadOrCreate(Path stateDir) throws IOException {
    Path file = stateDir.resolve(FILE);
    if (Files.exists(file)) {
      return load(file);
    }
    NoisePrivateKey key = NoisePrivateKey.generate(new SecureRandom());
    AtomicFiles.write(file, (key.toBase64() + "\n").getBytes(StandardCharsets.US_ASCII));
    return key;
  }

  /**
   * Loads the node's keys as the last rotation step left them (generating the current key on first
   * start), and finishes a commit a crash interrupted.
   */
  public static NodeKeys loadNodeKeys(Path stateDir) throws IOException {
    Path current = stateDir.resolve(FILE);
    Path next = stateDir.resolve(NEXT_FILE);
    Path previous = stateDir.resolve(PREVIOUS_FILE);
    for (Path f : List.of(current, next, previous)) {
      AtomicFiles.removeLeftovers(f); // a key write killed mid-way: zeroed, then deleted
    }
    if (!Files.exists(current) && Files.exists(next) && Files.exists(previous)) {
      // A commit stopped between its two renames: finish it.
      move(next, current);
    }
    // A finish stopped after it set the previous key aside: finish it.
    AtomicFiles.shred(stateDir.resolve(DROPPED_FILE));
    NoisePrivateKey key = loadOrCreate(stateDir);
    NoisePrivateKey n = Files.exists(next) ? load(next) : null;
    NoisePrivateKey p = Files.exists(previous) ? load(previous) : null;
    if (n != null && p != null) {
      throw new IOException(
          stateDir
              + " holds both "
              + NEXT_FILE
              + " and "
              + PREVIOUS_FILE
              + ", which no rotation step leaves: remove "
              + NEXT_FILE
              + " to have the rotation start over");
    }
    return new NodeKeys(key, n, p);
  }

  /** Generates the next key and stores it (0600) beside the current one. */
  public static NoisePrivateKey createNext(Path stateDir) throws IOException {
    NoisePrivateKey key = NoisePrivateKey.generate(new SecureRandom());
    AtomicFiles.write(
        stateDir.resolve(NEXT_FILE), (key.toBase64() + "\n").getBytes(StandardCharsets.US_ASCII));
    return key;
  }

  /** The next key becomes the current one; the current one becomes the previous one. */
  public static void commitNext(Path stateDir) throws IOException {
    move(stateDir.resolve(FILE), stateDir.resolve(PREVIOUS_FILE));
    move(stateDir.resolve(NEXT_FILE), stateDir.resolve(FILE));
  }

  /**
   * Sets the previous key's file aside (one atomic rename: {@code previous.key} is whole or gone),
   * overwrites it with zeros, then deletes it.
   */
  public static void deletePrevious(Path stateDir) throws IOException {
    Path file = stateDir.resolve(PREVIOUS_FILE);
    Path dropped = stateDir.resolve(DROPPED_FILE);
    if (Files.exists(file)) {
      move(file, dropped);
    }
    AtomicFiles.shred(dropped);
  }

  private static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsync(from.toAbsolutePath().getParent());
  }

  private static void fsync(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot fsync a folder; the rename itself is still atomic.
    }
  }

  static NoisePrivateKey load(Path file) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    for (PosixFilePermission p : perms) {
      if (p != PosixFilePermission.OWNER_READ && p != PosixFilePermission.OWNER_WRITE) {
        throw new IOException(
            file
                + " must be readable by its owner only (mode 0600), but it is "
                + java.nio.file.attribute.PosixFilePermissions.toString(perms)
                + ": fix it with chmod 600 "
                + file);
      }
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    try {
      return NoisePrivateKey.fromBase64(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          file
              + " does not hold a WireGuard private key (the base64 of 32 bytes, as wg genkey"
              + " writes it); remove it to have a new key generated");
    }
  }

  public static NoisePublicKey publicKey(NoisePrivateKey key) {
    return key.publicKey();
  }
}
