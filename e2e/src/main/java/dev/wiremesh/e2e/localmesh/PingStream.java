package dev.wiremesh.e2e.localmesh;

import java.io.IOException;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Echo requests from a namespace to an address, one every interval, until {@link #stop}: which of
 * them came back, to tell how many were lost while something changed and for how long in a row.
 */
public final class PingStream {

  /**
   * What a stream got back. Requests sent in the last second before the stop are left out: their
   * answers may still have been on the way.
   *
   * @param sent requests counted
   * @param lost of those, unanswered
   * @param longestGap the most requests in a row without an answer
   * @param lostAt when each lost request was found unanswered (ping's clock as it printed "no
   *     answer yet", one interval after sending it), in order; a lost request ping printed nothing
   *     for has none
   */
  public record Result(
      String what, int sent, int lost, int longestGap, int intervalMillis, List<Instant> lostAt) {
    public Result {
      lostAt = List.copyOf(lostAt);
    }

    /** How many requests were lost outside every one of {@code windows} (or at an unknown time). */
    public int lostOutside(List<Window> windows) {
      return lost
          - (int) lostAt.stream().filter(t -> windows.stream().anyMatch(w -> w.holds(t))).count();
    }

    /** How many requests were lost inside {@code window}. */
    public int lostIn(Window window) {
      return (int) lostAt.stream().filter(window::holds).count();
    }

    @Override
    public String toString() {
      return String.format(
          "%s: %d of %d lost, at most %d in a row (%.2f s)",
          what, lost, sent, longestGap, longestGap * intervalMillis / 1000.0);
    }
  }

  /** A stretch of time, both ends included. */
  public record Window(String what, Instant from, Instant to) {
    public boolean holds(Instant t) {
      return !t.isBefore(from) && !t.isAfter(to);
    }
  }

  private static final Pattern SEQ = Pattern.compile("bytes from .*icmp_seq=(\\d+)");
  private static final Pattern SENT = Pattern.compile("(\\d+) packets transmitted");
  private static final Pattern NO_ANSWER =
      Pattern.compile("\\[(\\d+)\\.(\\d{6})\\] no answer yet for icmp_seq=(\\d+)");

  private final String what;
  private final int intervalMillis;
  private final Process process;
  private final CompletableFuture<String> output;

  private PingStream(String what, int intervalMillis, Process process) {
    this.what = what;
    this.intervalMillis = intervalMillis;
    this.process = process;
    this.output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getInputStream().readAllBytes());
              } catch (IOException e) {
                return "";
              }
            });
  }

  /** Starts pinging {@code address} from namespace {@code ns}; {@code what} names it in results. */
  public static PingStream start(String what, String ns, String address, int intervalMillis)
      throws IOException {
    String[] cmd =
        Sh.inNetns(
            ns,
            "ping",
            address.contains(":") ? "-6" : "-4",
            "-n",
            "-D", // each line with the time it was printed
            "-O", // a line for each request still unanswered when the next one goes
            "-i",
            String.format(java.util.Locale.ROOT, "%.3f", intervalMillis / 1000.0),
            address);
    // ip netns exec runs ping in its own process: SIGINT makes it print its summary and exit.
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    return new PingStream(what, intervalMillis, p);
  }

  /** Stops the stream (SIGINT, as Ctrl-C) and counts what came back. */
  public Result stop() {
    try {
      Sh.run("kill", "-INT", Long.toString(process.pid()));
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      return parse(what, output.get(10, TimeUnit.SECONDS), intervalMillis);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException(what + ": the ping stream did not stop", e);
    }
  }

  /**
   * Reads ping's output: each answer's icmp_seq (not the errors', "From ... Destination Host
   * Unreachable"), when each request was reported unanswered ("no answer yet", with -D's time), and
   * the number transmitted from the summary.
   */
  static Result parse(String what, String out, int intervalMillis) {
    Matcher t = SENT.matcher(out);
    if (!t.find()) {
      throw new IllegalStateException(what + ": no ping summary in: " + out);
    }
    int transmitted = Integer.parseInt(t.group(1));
    int counted = Math.max(0, transmitted - Math.max(1, 1000 / intervalMillis));
    BitSet answered = new BitSet();
    Matcher m = SEQ.matcher(out);
    while (m.find()) {
      answered.set(Integer.parseInt(m.group(1)));
    }
    java.util.Map<Integer, Instant> unanswered = new java.util.HashMap<>();
    Matcher o = NO_ANSWER.matcher(out);
    while (o.find()) {
      unanswered.putIfAbsent(
          Integer.parseInt(o.group(3)),
          Instant.ofEpochSecond(Long.parseLong(o.group(1)), Long.parseLong(o.group(2)) * 1000));
    }
    int lost = 0;
    int gap = 0;
    int longest = 0;
    List<Instant> lostAt = new java.util.ArrayList<>();
    for (int seq = 1; seq <= counted; seq++) {
      if (answered.get(seq)) {
        gap = 0;
      } else {
        lost++;
        longest = Math.max(longest, ++gap);
        if (unanswered.containsKey(seq)) {
          lostAt.add(unanswered.get(seq));
        }
      }
    }
    return new Result(what, counted, lost, longest, intervalMillis, lostAt);
  }
}
