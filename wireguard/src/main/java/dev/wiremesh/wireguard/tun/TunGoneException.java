package dev.wiremesh.wireguard.tun;

import java.io.IOException;

/**
 * The interface behind a {@link TunDevice} no longer exists: it was deleted ({@code ip link del})
 * while the device was open. Distinct from a closed device (which throws {@link
 * java.nio.channels.ClosedChannelException}) because the reaction differs: like wireguard-go, the
 * daemon exits when its interface is deleted, whereas a close is its own doing.
 */
public final class TunGoneException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param name the interface that went away
   * @param detail what the kernel answered, e.g. {@code "read: EBADFD"}
   */
  public TunGoneException(String name, String detail) {
    super("TUN interface \"" + name + "\" was deleted (" + detail + ")");
  }
}
