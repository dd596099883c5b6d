package dev.wiremesh.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests against the fixture mesh: one mock API server per test class. */
abstract class WithFixtureCluster {
  static FixtureCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new FixtureCluster(true, true);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }
}
