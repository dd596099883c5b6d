package dev.wiremesh.e2e.footprint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resident memory from {@code /proc/PID/status}, in kB: all of it, the anonymous part
 * (heap, metaspace, stacks, malloc) and the file-backed part (libjvm, the CDS or AOT archive,
 * jars); and from {@code /proc/PID/smaps_rollup} its unique set (USS: the pages no other process
 * maps, what its exit would free; a file's pages shared with other JVMs on the machine, libjvm or
 * an archive mapped where it was made, are not in it).
 */
record Rss(long totalKb, long anonKb, long fileKb, long ussKb) {

  static Rss of(long pid) {
    try {
      long total = 0;
      long anon = 0;
      long file = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          total = kb(line);
        } else if (line.startsWith("RssAnon:")) {
          anon = kb(line);
        } else if (line.startsWith("RssFile:")) {
          file = kb(line);
        }
      }
      long uss = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
          uss += kb(line);
        }
      }
      return new Rss(total, anon, file, uss);
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone: " + e.getMessage(), e);
    }
  }

  private static long kb(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
