package dev.wiremesh.wireguard.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Logging as wireguard-go does it: {@code LOG_LEVEL=verbose} (or {@code debug}) prints every line,
 * {@code error} (the default) only errors, {@code silent} nothing; each line reads {@code DEBUG:
 * (wg0) 2026/11/25 00:07:20 message}. Logged values never include keys: key types print redacted.
 */
final class LogSetup {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

  private LogSetup() {}

  /** Parses LOG_LEVEL; an unknown value is an error naming the valid ones. */
  static Level parse(String value) {
    if (value == null || value.isEmpty()) {
      return Level.SEVERE;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "verbose", "debug" -> Level.ALL;
      case "error" -> Level.SEVERE;
      case "silent" -> Level.OFF;
      default ->
          throw new IllegalArgumentException(
              "LOG_LEVEL '" + value + "' is not one of verbose, debug, error, silent");
    };
  }

  static void configure(String ifname, Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    // Standard output, like wireguard-go; flushed per line so a follower sees lines as they come.
    StreamHandler h =
        new StreamHandler(System.out, new java.util.logging.SimpleFormatter()) {
          @Override
          public synchronized void publish(LogRecord r) {
            super.publish(r);
            flush();
          }
        };
    h.setLevel(level);
    h.setFormatter(
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            String tag = r.getLevel().intValue() >= Level.WARNING.intValue() ? "ERROR" : "DEBUG";
            String msg = formatMessage(r);
            if (r.getThrown() != null) {
              msg += ": " + r.getThrown();
            }
            return tag
                + ": ("
                + ifname
                + ") "
                + LocalDateTime.now().format(TIME)
                + " "
                + msg
                + "\n";
          }
        });
    root.addHandler(h);
  }
}
