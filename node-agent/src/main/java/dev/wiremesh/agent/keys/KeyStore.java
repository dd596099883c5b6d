package dev.wiremesh.agent.keys;

import dev.wiremesh.agent.state.AtomicFiles;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The node's WireGuard private key, in its state folder ({@code private.key}, base64 as {@code wg
 * genkey} writes it, mode 0600). Generated once, on first start; never leaves the process: only the
 * public key is reported, and no message here holds the key.
 */
public final class KeyStore {
  public static final String FILE = "private.key";

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
