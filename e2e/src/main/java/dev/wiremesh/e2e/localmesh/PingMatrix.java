package dev.wiremesh.e2e.localmesh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pings every tunnel address from every other member, in parallel, through the tunnel: a row per
 * source, a column per destination address; each cell says whether an echo came back.
 */
public record PingMatrix(
    List<String> sources, Map<String, String> targets, Map<Cell, Boolean> result) {

  /** One source and one destination address. */
  public record Cell(String source, String address) {}

  /** Sends echo requests from a source to an address; whether one came back. */
  @FunctionalInterface
  public interface Pinger {
    boolean ping(String source, String address);
  }

  /**
   * @param sources the members that ping, by name, with their network namespace
   * @param targets destination addresses, each with the member it belongs to (a member never pings
   *     its own)
   * @param attempts echo requests per cell before it counts as failed (the first may wait for a
   *     handshake)
   */
  public static PingMatrix measure(
      Map<String, String> sources, Map<String, String> targets, int attempts) {
    return measure(
        List.copyOf(sources.keySet()),
        targets,
        (source, address) -> ping(sources.get(source), address, attempts));
  }

  /** The matrix with any way of pinging (a node may be a namespace, a container, a machine). */
  public static PingMatrix measure(
      List<String> sources, Map<String, String> targets, Pinger pinger) {
    Map<Cell, Future<Boolean>> futures = new LinkedHashMap<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String name : sources) {
        targets.forEach(
            (address, owner) -> {
              if (!owner.equals(name)) {
                futures.put(new Cell(name, address), pool.submit(() -> pinger.ping(name, address)));
              }
            });
      }
    }
    Map<Cell, Boolean> out = new LinkedHashMap<>();
    futures.forEach((cell, f) -> out.put(cell, get(f)));
    return new PingMatrix(List.copyOf(sources), Map.copyOf(targets), out);
  }

  private static boolean get(Future<Boolean> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Up to {@code attempts} echo requests from namespace {@code ns}, 1 s each; whether one came
   * back.
   */
  public static boolean ping(String ns, String address, int attempts) {
    for (int i = 0; i < attempts; i++) {
      String[] cmd = Sh.inNetns(ns, pingCommand(address, 1, 0));
      if (Sh.tryRun(cmd).exit() == 0) {
        return true;
      }
    }
    return false;
  }

  /** What a stream of echo requests got back. */
  public record Flow(int transmitted, int received) {}

  /**
   * {@code count} echo requests from namespace {@code ns} to {@code address}, one every {@code
   * intervalMillis} (below 200 ms needs root), each waited for at most 1 s; blocks until done.
   */
  public static Flow flow(String ns, String address, int count, int intervalMillis) {
    String[] cmd = Sh.inNetns(ns, pingCommand(address, count, intervalMillis));
    return parseFlow(Sh.tryRun(cmd).output());
  }

  /**
   * The ping command for {@code count} echo requests to {@code address} (its family chosen by the
   * address), one every {@code intervalMillis} (0: ping's default), each waited for at most 1 s.
   */
  public static String[] pingCommand(String address, int count, int intervalMillis) {
    var cmd =
        new java.util.ArrayList<>(
            java.util.List.of(
                "ping", address.contains(":") ? "-6" : "-4", "-n", "-q", "-c", "" + count));
    if (intervalMillis > 0) {
      cmd.add("-i");
      cmd.add(String.format(java.util.Locale.ROOT, "%.3f", intervalMillis / 1000.0));
    }
    cmd.addAll(java.util.List.of("-W", "1", address));
    return cmd.toArray(String[]::new);
  }

  /** Reads ping's summary line: "N packets transmitted, M received, ...". */
  public static Flow parseFlow(String output) {
    var m =
        java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) (packets )?received")
            .matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no ping summary in: " + output);
    }
    return new Flow(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  public boolean complete() {
    return !result.isEmpty() && result.values().stream().allMatch(b -> b);
  }

  public List<Cell> failed() {
    return result.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
  }

  /** The matrix as text: sources down, destination addresses across, ok / FAIL / - (itself). */
  public String render() {
    List<String> columns =
        new ArrayList<>(
            new java.util.TreeSet<>(result.keySet().stream().map(Cell::address).toList()));
    int first = Math.max(6, sources.stream().mapToInt(String::length).max().orElse(6));
    StringBuilder s = new StringBuilder(String.format("%-" + first + "s", "from\\to"));
    for (String c : columns) {
      s.append("  ").append(c);
    }
    s.append('\n');
    for (String src : sources) {
      s.append(String.format("%-" + first + "s", src));
      for (String c : columns) {
        Boolean ok = result.get(new Cell(src, c));
        String mark = ok == null ? "-" : ok ? "ok" : "FAIL";
        s.append("  ").append(String.format("%-" + c.length() + "s", mark));
      }
      s.append('\n');
    }
    return s.toString();
  }
}
