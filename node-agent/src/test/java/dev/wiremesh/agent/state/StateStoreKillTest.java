package dev.wiremesh.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.agent.DeviceConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's state file under SIGKILL: a process saving configurations back to back is killed at a
 * random point of a save, 50 times in a row. Every time, the file loads (never corrupt, never
 * half-written) and holds one of the two configurations; the next start leaves no temporary file of
 * the killed saves behind (they would pile up, and may hold preshared keys).
 */
class StateStoreKillTest {
  static final int KILLS = 50;

  @TempDir Path dir;

  @Test
  void aSaveKilledAtAnyPointLeavesTheOldOrTheNewConfigAndNoDebris() throws Exception {
    DeviceConfig a = StateWriter.config(0, 300);
    DeviceConfig b = StateWriter.config(1, 300);
    Random random = new Random(18);
    String java = ProcessHandle.current().info().command().orElse("java");
    int killedMidWrite = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process writer =
          new ProcessBuilder(
                  java,
                  "-XX:TieredStopAtLevel=1", // a quick start: 50 of them
                  "-XX:+UseSerialGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  StateWriter.class.getName(),
                  dir.toString())
              .redirectErrorStream(true)
              .start();
      try (var out =
          new BufferedReader(
              new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
        // Let it finish a random number of saves, then kill it: inside the next one, somewhere.
        int saves = 1 + random.nextInt(20);
        for (int i = 0; i < saves; i++) {
          assertThat(out.readLine()).as("the writer runs").isNotNull();
        }
        Runtime.getRuntime().exec(new String[] {"kill", "-KILL", String.valueOf(writer.pid())});
        assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
      }
      if (temporaryFiles() > 0) {
        killedMidWrite++;
      }
      StateStore store = new StateStore(dir);
      DeviceConfig loaded = store.load().orElseThrow();
      assertThat(loaded).as("after kill %d", kill).isIn(a, b);
      assertThat(temporaryFiles()).as("debris of killed saves, after a load").isZero();
    }
    System.out.printf(
        "StateStoreKillTest: %d of %d kills landed inside a save%n", killedMidWrite, KILLS);
  }

  private long temporaryFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
    }
  }
}
