package dev.wiremesh.agent.netlink;

/** The names of the errnos netlink answers with. */
final class Errnos {
  static final int ENOENT = 2;
  static final int ESRCH = 3;
  static final int ENODEV = 19;
  static final int EEXIST = 17;
  static final int EADDRNOTAVAIL = 99;

  private Errnos() {}

  static String name(int errno) {
    return switch (errno) {
      case 1 -> "EPERM";
      case ENOENT -> "ENOENT";
      case ESRCH -> "ESRCH";
      case 13 -> "EACCES";
      case EEXIST -> "EEXIST";
      case ENODEV -> "ENODEV";
      case 22 -> "EINVAL";
      case 95 -> "EOPNOTSUPP";
      case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
      case 101 -> "ENETUNREACH";
      default -> "errno " + errno;
    };
  }
}
