package dev.wiremesh.wireguard.uapi;

/**
 * A UAPI request that fails, with the errno wg(8) receives (as wireguard-go answers: the negated
 * value goes on the wire) and a message for the daemon's log. Messages never hold a key.
 */
public final class UapiException extends Exception {
  public static final int EIO = 5;
  public static final int EINVAL = 22;
  public static final int EADDRINUSE = 98;
  public static final int EPROTO = 71;

  private final int errno;

  public UapiException(int errno, String message) {
    super(message);
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
