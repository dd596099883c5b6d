package dev.wiremesh.agent.encryption;

import java.io.IOException;

/** nft failed or could not be run; the message says which and what nft printed. */
public final class NftException extends IOException {
  public NftException(String message) {
    super(message);
  }

  public NftException(String message, Throwable cause) {
    super(message, cause);
  }
}
