package dev.wiremesh.cli.mesh;

import java.time.Duration;
import java.time.Instant;

/**
 * How fresh a tunnel's last handshake is. WireGuard rekeys every 2 minutes on a tunnel in use, and
 * the operator counts a peer as connected within 3 minutes of a handshake: so does this.
 */
public enum Freshness {
  /** A handshake within the last 3 minutes. */
  FRESH("green", "\u001b[32m"),
  /** A handshake, but older. */
  STALE("orange", "\u001b[33m"),
  /** No handshake ever. */
  NONE("red", "\u001b[31m");

  public static final Duration CONNECTED_WITHIN = Duration.ofSeconds(180);

  private final String colour;
  private final String ansi;

  Freshness(String colour, String ansi) {
    this.colour = colour;
    this.ansi = ansi;
  }

  public static Freshness of(Instant handshake, Instant now) {
    if (handshake == null) {
      return NONE;
    }
    return Duration.between(handshake, now).compareTo(CONNECTED_WITHIN) <= 0 ? FRESH : STALE;
  }

  /** The colour's name, for DOT and the picture's legend. */
  public String colour() {
    return colour;
  }

  /** {@code text} in this colour on a terminal. */
  public String paint(String text, boolean colourOn) {
    return colourOn ? ansi + text + "\u001b[0m" : text;
  }
}
