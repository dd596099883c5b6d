package dev.wiremesh.agent.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Nft} through the {@code nft} binary (Debian's package {@code nftables}): {@code nft -j -f
 * -} with the batch on standard input, {@code nft -j list counter ...} for a counter. nft applies a
 * batch read from a file as one transaction.
 */
public final class NftCommand implements Nft {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 10;

  private final List<String> nft;
  private final String binary;

  /**
   * @param binary the nft executable: a path, or a name looked up on the PATH
   */
  public NftCommand(String binary) {
    this(List.of(binary));
  }

  /**
   * @param nft the command that runs nft, such as {@code [ip, netns, exec, NS, nft]}
   */
  public NftCommand(List<String> nft) {
    this.nft = List.copyOf(nft);
    this.binary = nft.getLast();
  }

  @Override
  public void apply(String json) throws NftException {
    run(List.of("-j", "-f", "-"), json);
  }

  @Override
  public long[] counter(String table, String counter) throws NftException {
    String out = run(List.of("-j", "list", "counter", "inet", table, counter), null);
    try {
      for (JsonNode item : JSON.readTree(out).path("nftables")) {
        JsonNode c = item.get("counter");
        if (c != null) {
          return new long[] {c.path("packets").asLong(), c.path("bytes").asLong()};
        }
      }
    } catch (IOException e) {
      throw new NftException("nft printed no JSON for counter " + counter + ": " + out, e);
    }
    throw new NftException("nft listed no counter " + counter + " in table inet " + table);
  }

  private String run(List<String> args, String input) throws NftException {
    List<String> command = new java.util.ArrayList<>(nft);
    command.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new NftException(
          "cannot run "
              + binary
              + " (the agent needs nft, Debian's package nftables): "
              + e.getMessage(),
          e);
    }
    try {
      try (OutputStream in = p.getOutputStream()) {
        if (input != null) {
          in.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new NftException(binary + " did not finish within " + TIMEOUT_SECONDS + "s");
      }
      String text = new String(out, StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new NftException(
            "nft " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): " + text);
      }
      return text;
    } catch (IOException e) {
      p.destroyForcibly();
      throw new NftException("talking to " + binary + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new NftException("interrupted while " + binary + " ran", e);
    }
  }
}
