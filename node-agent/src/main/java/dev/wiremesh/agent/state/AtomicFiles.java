package dev.wiremesh.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files written so that a crash leaves either the old content or the new, never a mix: a temporary
 * file in the same folder, created with its final permissions, fsynced, then atomically moved over
 * the target, and the folder fsynced.
 */
public final class AtomicFiles {
  /** Owner read and write only: for keys and configs holding preshared keys. */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private AtomicFiles() {}

  /**
   * Zeroes and deletes what {@link #write} calls to {@code target} left behind when the process was
   * killed between creating their temporary file and renaming it ({@code .NAME.*.tmp} beside {@code
   * target}): the rename never happened, so the file is the old content or none, and the debris
   * would pile up, holding keys or preshared keys — hence {@link #shred}, not a plain delete. Call
   * it at start, before any write.
   *
   * @return how many files were deleted
   */
  public static int removeLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    String prefix = "." + target.getFileName() + ".";
    int removed = 0;
    try (var files = Files.newDirectoryStream(dir, p -> isLeftover(p, prefix))) {
      for (Path p : files) {
        if (shred(p)) {
          removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Overwrites a file that held a secret with zeros (at least 64 bytes, so its length tells
   * nothing), forces that to the disk, then deletes the file and syncs its folder. Best effort
   * against recovery from the disk: a copy-on-write file system or an SSD's wear levelling may keep
   * the old blocks.
   *
   * @return false if there was no such file
   */
  public static boolean shred(Path file) throws IOException {
    if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return Files.deleteIfExists(file);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate((int) Math.max(ch.size(), 64));
      while (zeros.hasRemaining()) {
        ch.write(zeros);
      }
      ch.force(true);
    }
    Files.delete(file);
    fsync(file.toAbsolutePath().getParent());
    return true;
  }

  private static void fsync(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot fsync a folder; a rename or delete is still atomic.
    }
  }

  private static boolean isLeftover(Path p, String prefix) {
    String name = p.getFileName().toString();
    return name.startsWith(prefix) && name.endsWith(".tmp");
  }

  public static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path tmp =
        Files.createTempFile(
            dir,
            "." + target.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsync(dir);
    } finally {
      if (Files.exists(tmp)) {
        // The write failed before its rename: what it wrote of the content goes too.
        try {
          shred(tmp);
        } catch (IOException e) {
          Files.deleteIfExists(tmp);
        }
      }
    }
  }
}
