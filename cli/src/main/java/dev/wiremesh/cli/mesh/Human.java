package dev.wiremesh.cli.mesh;

import java.time.Duration;
import java.time.Instant;

/** Ages and sizes as kubectl and wg(8) print them. */
public final class Human {

  private Human() {}

  /** The age of {@code t} at {@code now} as kubectl prints ages (5s, 3m12s, 4h, 2d), or "never". */
  public static String age(Instant t, Instant now) {
    if (t == null) {
      return "never";
    }
    long s = Math.max(0, Duration.between(t, now).toSeconds());
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 48) {
      return h + "h";
    }
    return (h / 24) + "d";
  }

  /** Bytes in binary units as wg(8) prints transfer: 0 B, 1.50 KiB, 3.20 MiB. */
  public static String bytes(Long n) {
    if (n == null) {
      return "-";
    }
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.2f %s", v, units[u]);
  }

  /** A configuration hash, short: {@code sha256:1a2b3c4d…}. */
  public static String hash(String hash) {
    if (hash == null) {
      return "(none)";
    }
    int colon = hash.indexOf(':');
    return hash.substring(0, Math.min(hash.length(), colon + 1 + 8)) + "…";
  }

  /** A public key as a short fingerprint: its first 8 characters of base64 and an ellipsis. */
  public static String fingerprint(String publicKey) {
    return publicKey == null ? "-" : publicKey.substring(0, Math.min(8, publicKey.length())) + "…";
  }
}
