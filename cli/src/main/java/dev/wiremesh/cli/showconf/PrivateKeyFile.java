package dev.wiremesh.cli.showconf;

import dev.wiremesh.cli.CliException;
import dev.wiremesh.planner.topology.WgQuickConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.KeyAgreement;

/**
 * A WireGuard private key read from a local file, and the public key that belongs to it (X25519
 * with the base point, through the JDK's XDH). The key stays in this process: it is never logged,
 * never in an exception message, and only ever written into the user's own output.
 */
final class PrivateKeyFile {

  private final String privateKey;
  private final String publicKey;

  private PrivateKeyFile(String privateKey, String publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  static PrivateKeyFile read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new CliException("cannot read --private-key-file " + file + ": " + e.getMessage());
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      raw = new byte[0];
    }
    if (raw.length != 32) {
      throw new CliException(
          "--private-key-file "
              + file
              + " must hold one WireGuard private key: the base64 of 32 bytes, as wg genkey prints"
              + " it");
    }
    try {
      return new PrivateKeyFile(text, Base64.getEncoder().encodeToString(publicOf(raw)));
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** X25519(private, 9): the public key, as wg pubkey computes it. */
  private static byte[] publicOf(byte[] privateKey) {
    try {
      KeyFactory kf = KeyFactory.getInstance("XDH");
      PrivateKey priv =
          kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
      PublicKey base =
          kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
      KeyAgreement ka = KeyAgreement.getInstance("XDH");
      ka.init(priv);
      ka.doPhase(base, true);
      return ka.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is not available in this JDK", e);
    }
  }

  String publicKey() {
    return publicKey;
  }

  /** The file with its private-key placeholder, and the lines asking for it, filled in. */
  String fillInto(String conf) {
    if (!conf.contains("PrivateKey = " + WgQuickConfig.PRIVATE_KEY_PLACEHOLDER)) {
      throw new CliException(
          "the configuration has no private-key line to fill in (no \"PrivateKey = "
              + WgQuickConfig.PRIVATE_KEY_PLACEHOLDER
              + "\")");
    }
    StringBuilder out = new StringBuilder();
    for (String line : conf.split("\n", -1)) {
      if (line.startsWith("# >>> Put this peer's own private key here")
          || line.startsWith("# >>> The operator never sees private keys")) {
        continue;
      }
      out.append(
              line.equals("PrivateKey = " + WgQuickConfig.PRIVATE_KEY_PLACEHOLDER)
                  ? "PrivateKey = " + privateKey
                  : line)
          .append('\n');
    }
    return out.substring(0, out.length() - 1);
  }

  @Override
  public String toString() {
    return "PrivateKeyFile[" + publicKey + ", privateKey=<redacted>]";
  }
}
