package dev.wiremesh.wireguard.tun;

import java.util.Map;

/** Linux errno numbers the TUN code meets, with their symbolic names for error messages. */
final class Errno {
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int ENXIO = 6;
  static final int EBADF = 9;
  static final int EAGAIN = 11;
  static final int EACCES = 13;
  static final int EBUSY = 16;
  static final int ENODEV = 19;
  static final int EINVAL = 22;
  static final int EBADFD = 77;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(EPERM, "EPERM"),
          Map.entry(ENOENT, "ENOENT"),
          Map.entry(3, "ESRCH"),
          Map.entry(EINTR, "EINTR"),
          Map.entry(5, "EIO"),
          Map.entry(ENXIO, "ENXIO"),
          Map.entry(EBADF, "EBADF"),
          Map.entry(EAGAIN, "EAGAIN"),
          Map.entry(12, "ENOMEM"),
          Map.entry(EACCES, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(EBUSY, "EBUSY"),
          Map.entry(17, "EEXIST"),
          Map.entry(ENODEV, "ENODEV"),
          Map.entry(EINVAL, "EINVAL"),
          Map.entry(23, "ENFILE"),
          Map.entry(24, "EMFILE"),
          Map.entry(25, "ENOTTY"),
          Map.entry(28, "ENOSPC"),
          Map.entry(32, "EPIPE"),
          Map.entry(EBADFD, "EBADFD"),
          Map.entry(90, "EMSGSIZE"),
          Map.entry(95, "EOPNOTSUPP"),
          Map.entry(100, "ENETDOWN"),
          Map.entry(105, "ENOBUFS"));

  private Errno() {}

  /** {@code EPERM} for 1; {@code errno 123} for a number not in the table. */
  static String name(int errno) {
    return NAMES.getOrDefault(errno, "errno " + errno);
  }
}
