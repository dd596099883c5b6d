package dev.wiremesh.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.agent.ChildJvm;
import dev.wiremesh.api.agent.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
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
    int killedMidWrite = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      try (ChildJvm writer = ChildJvm.start(StateWriter.class, dir.toString())) {
        // Let it finish a random number of saves, then kill it: inside the next one, somewhere.
        int saves = 1 + random.nextInt(20);
        for (int i = 0; i < saves; i++) {
          writer.readLine();
        }
        writer.kill();
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
