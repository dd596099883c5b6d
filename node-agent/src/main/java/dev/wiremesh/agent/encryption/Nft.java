package dev.wiremesh.agent.encryption;

/**
 * The seam to nftables: nft's JSON interface ({@code libnftables-json(5)}). {@link NftCommand} runs
 * the {@code nft} binary; tests substitute a recorder.
 */
public interface Nft {
  /**
   * Runs one batch of JSON commands ({@code {"nftables": [...]}}) as one transaction: all of it
   * applies or none of it does.
   */
  void apply(String json) throws NftException;

  /**
   * The named counter {@code counter} of table {@code inet table} as {@code [packets, bytes]}.
   *
   * @throws NftException when the table or the counter does not exist, or nft fails
   */
  long[] counter(String table, String counter) throws NftException;
}
