package dev.wiremesh.agent.netlink;

import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;

/** The kernel refused a netlink request: what was asked and the errno's name. */
public final class NetlinkException extends IOException {
  private final int errno;

  NetlinkException(int errno, String what) {
    super(what + ": " + Errno.name(errno));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
