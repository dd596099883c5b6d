package dev.wiremesh.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a client of the cluster the user means. */
@FunctionalInterface
public interface Connector {

  /**
   * @param kubeconfig --kubeconfig, or null: then KUBECONFIG, then ~/.kube/config, as kubectl
   * @param context --context, or null: the kubeconfig's current context
   */
  KubernetesClient connect(Path kubeconfig, String context);

  /** The user's kubeconfig and context, resolved as kubectl resolves them. */
  static Connector kubeconfig() {
    return (kubeconfig, context) -> {
      Config config;
      if (kubeconfig != null) {
        String text;
        try {
          text = Files.readString(kubeconfig);
        } catch (java.nio.file.NoSuchFileException e) {
          throw new CliException("--kubeconfig " + kubeconfig + " does not exist");
        } catch (IOException e) {
          throw new CliException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage());
        }
        try {
          config = Config.fromKubeconfig(context, text, kubeconfig.toString());
        } catch (RuntimeException e) {
          throw new CliException(
              "--kubeconfig " + kubeconfig + " is not a usable kubeconfig: " + e.getMessage());
        }
      } else {
        config = Config.autoConfigure(context);
      }
      if (context != null
          && (config.getCurrentContext() == null
              || !context.equals(config.getCurrentContext().getName()))) {
        throw new CliException(
            "context \""
                + context
                + "\" does not exist in the kubeconfig (kubectl config get-contexts lists them)");
      }
      config.setRequestRetryBackoffLimit(0);
      return new KubernetesClientBuilder().withConfig(config).build();
    };
  }
}
