package dev.wiremesh.cli.showconf;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.CliException;
import dev.wiremesh.cli.Cluster;
import dev.wiremesh.cli.WiremeshCommand;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kubectl wiremesh showconf PEER}: an external peer's ready wg-quick file. */
@Command(
    name = "showconf",
    mixinStandardHelpOptions = true,
    header = "Print an external peer's ready wg-quick configuration.",
    description = {
      "Print an external peer's ready wg-quick configuration, as the operator keeps it in a Secret."
          + " The private key line is left for you, or filled in here from --private-key-file: the"
          + " key is read on this machine only and never sent to the cluster.",
      "",
      "Examples:",
      "  kubectl wiremesh showconf laptop-alice > wg0.conf",
      "  kubectl wiremesh showconf laptop-alice --private-key-file ~/.wg/alice.key > wg0.conf"
    })
public final class ShowconfCommand implements Runnable {

  /** The key of the wg-quick file in the operator's Secret. */
  static final String KEY = "wg-quick.conf";

  @ParentCommand WiremeshCommand root;

  @Parameters(paramLabel = "PEER", description = "The external WireGuardPeer.")
  String peer;

  @Option(
      names = "--private-key-file",
      paramLabel = "FILE",
      description =
          "A file holding the peer's private key (base64, as wg genkey prints it); it must belong"
              + " to the peer's public key.")
  Path privateKeyFile;

  @Override
  public void run() {
    // Read the key first: a wrong file fails before the cluster is asked anything.
    PrivateKeyFile key = privateKeyFile == null ? null : PrivateKeyFile.read(privateKeyFile);
    String conf;
    try (Cluster cluster = root.cluster()) {
      cluster.requireCrds();
      WireGuardPeer p = cluster.peer(peer);
      if (p == null) {
        throw new CliException("WireGuardPeer \"" + peer + "\" not found");
      }
      if (!p.getSpec().isExternal()) {
        throw new CliException(
            "WireGuardPeer \""
                + peer
                + "\" is the peer of node "
                + p.getSpec().getNode()
                + ": showconf is for external peers (those with spec.publicKey)");
      }
      if (key != null && !key.publicKey().equals(p.getSpec().getPublicKey())) {
        throw new CliException(
            "--private-key-file "
                + privateKeyFile
                + " does not belong to WireGuardPeer \""
                + peer
                + "\": its public key is "
                + key.publicKey()
                + ", spec.publicKey is "
                + p.getSpec().getPublicKey());
      }
      var ref = p.getStatus() == null ? null : p.getStatus().getConfigSecretRef();
      if (ref == null) {
        throw new CliException(
            "WireGuardPeer \""
                + peer
                + "\" has no configuration yet (status.configSecretRef is empty): the operator"
                + " writes it once the peer has an address and a gateway node is ready; see"
                + " kubectl get wgp "
                + peer
                + " -o yaml");
      }
      Secret s = cluster.secret(ref.getNamespace(), ref.getName());
      if (s == null || s.getData() == null || s.getData().get(KEY) == null) {
        throw new CliException(
            "Secret "
                + ref.getNamespace()
                + "/"
                + ref.getName()
                + " (status.configSecretRef of WireGuardPeer \""
                + peer
                + "\") has no key "
                + KEY);
      }
      conf = new String(Base64.getDecoder().decode(s.getData().get(KEY)), StandardCharsets.UTF_8);
    }
    root.terminal().out().print(key == null ? conf : key.fillInto(conf));
    root.terminal().out().flush();
  }
}
