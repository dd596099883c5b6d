package dev.wiremesh.agent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Gives the agent under test its TLS files, state folder and UAPI folder in a temporary place. */
public class AgentTestResource implements QuarkusTestResourceLifecycleManager {
  static TestPki pki;
  static TestPki otherPki;
  static Path dir;

  @Override
  public Map<String, String> start() {
    try {
      dir = Files.createTempDirectory("wiremesh-agent-test");
      pki = new TestPki("wiremesh-test-ca");
      otherPki = new TestPki("some-other-ca");
      pki.writeServerFiles(dir.resolve("tls"));
      return Map.of(
          "wiremesh.tls.dir", dir.resolve("tls").toString(),
          "wiremesh.agent.state-dir", dir.resolve("state").toString(),
          "wiremesh.agent.uapi-dir", dir.resolve("uapi").toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void stop() {
    try {
      TwoAgentsIT.deleteTree(dir);
    } catch (java.io.IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
