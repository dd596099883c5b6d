package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the plugin says when the cluster is not the one it needs: one line, exit status 1. */
class ClusterErrorsTest {

  @Test
  void anUnreachableCluster() throws Exception {
    try (var c = new FixtureCluster(true, true)) {
      var r = c.run("status", "--context", "nowhere");
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err())
          .startsWith("error: cannot reach the cluster at http://127.0.0.1:1/: ")
          .endsWith(" (check --context and KUBECONFIG)\n")
          .hasLineCount(1);
    }
  }

  @Test
  void missingCrds() throws Exception {
    try (var c = new FixtureCluster(false, false)) {
      for (String[] args :
          new String[][] {
            {"status"},
            {"showconf", "x"},
            {"plan", "-f", "src/test/resources/changes/new-peer.yaml"}
          }) {
        var r = c.run(args);
        assertThat(r.status()).as(String.join(" ", args)).isEqualTo(1);
        assertThat(r.err())
            .as(String.join(" ", args))
            .isEqualTo(
                "error: the WireMesh CRDs are not installed in this cluster (install them with"
                    + " kubectl apply -f crds/ or the Helm chart)\n");
      }
    }
  }

  @Test
  void anUnknownContext() throws Exception {
    try (var c = new FixtureCluster(true, true)) {
      var r = c.run("status", "--context", "prod");
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo(
              "error: context \"prod\" does not exist in the kubeconfig (kubectl config"
                  + " get-contexts lists them)\n");
    }
  }

  @Test
  void aMissingKubeconfig() throws Exception {
    try (var c = new FixtureCluster(true, false)) {
      var r = c.run("status", "--kubeconfig", "/nonexistent/kubeconfig");
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("error: --kubeconfig /nonexistent/kubeconfig does not exist\n");
    }
  }

  @Test
  void noCommand() throws Exception {
    try (var c = new FixtureCluster(true, true)) {
      var r = c.run();
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).contains("a command is required: status, graph, showconf or plan");
      var u = c.run("bogus");
      assertThat(u.status()).isEqualTo(1);
      assertThat(u.err()).contains("'bogus'").contains("See 'kubectl wiremesh --help' for usage.");
    }
  }

  @Test
  void everyCommandHasHelp() throws Exception {
    try (var c = new FixtureCluster(true, true)) {
      for (String cmd : new String[] {"status", "graph", "showconf", "plan"}) {
        var r = c.run(cmd, "--help");
        assertThat(r.status()).as(cmd).isZero();
        assertThat(r.out())
            .as(cmd)
            .contains("Usage: kubectl wiremesh " + cmd)
            .contains("Examples:");
      }
    }
  }
}
