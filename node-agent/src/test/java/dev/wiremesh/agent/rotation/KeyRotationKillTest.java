package dev.wiremesh.agent.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.agent.ChildJvm;
import dev.wiremesh.agent.keys.KeyStore;
import dev.wiremesh.agent.rotation.RotatingAgent.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent killed (SIGKILL) during a key rotation, on a real file system: at each phase of the
 * rotation, and at random points inside its steps. Each time, the restarted agent holds a
 * consistent key set that is never behind what it announced (a key peers were told of is still
 * held), the operator's repeated step changes nothing, and the rotation completes with the old key
 * gone from disk.
 */
class KeyRotationKillTest {
  static final int RANDOM_KILLS = 16;
  static final Duration STEP = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void anAgentKilledAtEachPhaseComesBackWithTheKeysItAnnouncedAndTheRotationCompletes()
      throws Exception {
    ChildJvm agent = serve();
    Keys before = Keys.parse(agent.readLine());

    // 1. The next key generated and written, not announced: the operator never got the answer.
    agent.println("prepare");
    await().atMost(STEP).until(() -> Files.exists(dir.resolve(KeyStore.NEXT_FILE)));
    agent = restart(agent);
    Keys prepared = Keys.parse(agent.readLine());
    assertThat(prepared.current()).isEqualTo(before.current());
    assertThat(prepared.hasNext()).as("the next key on disk is held").isTrue();
    assertOwnerOnly();
    // The operator asks again: the key on disk is the one announced, no second one is made.
    assertThat(step(agent, "prepare")).isEqualTo(prepared);

    // 2. Announced (Distributing): the peers are being given prepared.next().
    agent = restart(agent);
    assertThat(Keys.parse(agent.readLine()))
        .as("after a kill while distributing")
        .isEqualTo(prepared);
    Keys committed = step(agent, "commit " + prepared.next());
    assertThat(committed)
        .as("the new key is the node's, the old one still answered")
        .isEqualTo(new Keys(prepared.next(), "-", before.current()));

    // 3. Committed: the new key is the node's, the old one still answered.
    agent = restart(agent);
    assertThat(Keys.parse(agent.readLine())).as("after a kill once committed").isEqualTo(committed);
    assertThat(step(agent, "commit " + prepared.next()))
        .as("an operator that did not record the commit asks again: nothing changes")
        .isEqualTo(committed);
    Keys finished = step(agent, "finish " + prepared.next());
    assertThat(finished).isEqualTo(new Keys(prepared.next(), "-", "-"));

    // 4. The old key retired: gone from memory and disk, and it stays gone.
    agent = restart(agent);
    assertThat(Keys.parse(agent.readLine())).as("after a kill once finished").isEqualTo(finished);
    assertThat(keyFiles()).containsExactly(KeyStore.FILE);
    assertThat(step(agent, "finish " + prepared.next())).isEqualTo(finished);
    Keys again = step(agent, "prepare");
    assertThat(again.next()).as("a new rotation can start").isNotIn("-", prepared.next());
    agent.kill();
    agent.close();
  }

  @Test
  void killedAtRandomPointsOfItsStepsTheAgentIsNeverBehindWhatItAnnounced() throws Exception {
    Random random = new Random(12);
    int landedAfterTheDisk = 0;
    int debris = 0;
    for (int kill = 0; kill < RANDOM_KILLS; kill++) {
      Keys last;
      try (ChildJvm agent = ChildJvm.start(RotatingAgent.class, dir.toString(), "run")) {
        last = Keys.parse(agent.readLine());
        int steps = random.nextInt(12);
        for (int i = 0; i < steps; i++) {
          last = Keys.parse(agent.readLine());
        }
        agent.kill();
        for (String line : agent.remainingLines()) {
          last = Keys.parse(line); // printed before it died: announced
        }
      }
      Set<String> files = allFiles();
      if (files.stream().anyMatch(f -> !f.equals(KeyStore.FILE) && !isKeyOfAStep(f))) {
        debris++;
      }
      // Started again, as the agent starts: it must come up, with the keys it announced last or
      // with the next step's (it was killed after writing them, before saying so).
      Keys loaded = Keys.of(KeyStore.loadNodeKeys(dir));
      if (!loaded.equals(last)) {
        landedAfterTheDisk++;
        assertThat(followsFrom(last, loaded))
            .as("kill %d: %s announced, %s on disk %s", kill, last, loaded, files)
            .isTrue();
      }
      assertThat(allFiles())
          .as("kill %d: only the keys of a rotation step after a start", kill)
          .allMatch(f -> f.equals(KeyStore.FILE) || isKeyOfAStep(f));
      assertOwnerOnly();
    }
    // The rotation left by the last kill completes.
    ChildJvm agent = serve();
    Keys k = Keys.parse(agent.readLine());
    if (k.hasNext()) {
      k = step(agent, "commit " + k.next());
    }
    if (k.hasPrevious()) {
      k = step(agent, "finish " + k.current());
    }
    assertThat(k.hasNext() || k.hasPrevious()).isFalse();
    assertThat(keyFiles()).containsExactly(KeyStore.FILE);
    agent.kill();
    agent.close();
    System.out.printf(
        "KeyRotationKillTest: of %d kills, %d landed after a step's write and before its answer,"
            + " %d left a step's debris for the next start%n",
        RANDOM_KILLS, landedAfterTheDisk, debris);
  }

  /** {@code loaded} is what the step after {@code last} leaves. */
  static boolean followsFrom(Keys last, Keys loaded) {
    if (last.hasNext()) { // commit
      return loaded.equals(new Keys(last.next(), "-", last.current()));
    }
    if (last.hasPrevious()) { // finish
      return loaded.equals(new Keys(last.current(), "-", "-"));
    }
    // prepare: a next key nobody was told of yet
    return loaded.current().equals(last.current()) && loaded.hasNext() && !loaded.hasPrevious();
  }

  static boolean isKeyOfAStep(String f) {
    return f.equals(KeyStore.NEXT_FILE) || f.equals(KeyStore.PREVIOUS_FILE);
  }

  ChildJvm serve() throws Exception {
    return ChildJvm.start(RotatingAgent.class, dir.toString(), "serve");
  }

  ChildJvm restart(ChildJvm agent) throws Exception {
    agent.kill();
    agent.close();
    return serve();
  }

  static Keys step(ChildJvm agent, String step) throws Exception {
    agent.println(step);
    String answer = agent.readLine();
    assertThat(answer).as(step).startsWith("keys ");
    return Keys.parse(answer);
  }

  Set<String> keyFiles() throws Exception {
    return allFiles().stream()
        .filter(f -> f.endsWith(".key"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The state folder's files, but the agent's saved configuration. */
  Set<String> allFiles() throws Exception {
    try (var files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  void assertOwnerOnly() throws Exception {
    for (String f : List.copyOf(keyFiles())) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))))
          .as(f)
          .isEqualTo("rw-------");
    }
  }
}
