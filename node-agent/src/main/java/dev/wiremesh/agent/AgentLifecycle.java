package dev.wiremesh.agent;

import dev.wiremesh.agent.device.ConfigException;
import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.agent.encryption.EncryptionEnforcer;
import dev.wiremesh.agent.encryption.NftCommand;
import dev.wiremesh.agent.keys.KeyStore;
import dev.wiremesh.agent.location.ForwardingLedger;
import dev.wiremesh.agent.netlink.RtNetlinkLinks;
import dev.wiremesh.agent.netlink.RtNetlinkLocationRouting;
import dev.wiremesh.agent.rotation.KeyRotator;
import dev.wiremesh.agent.state.StateStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the agent: loads (or generates once) the node's key, and restores the configuration it
 * last applied, so tunnels come back without the operator.
 */
@ApplicationScoped
public class AgentLifecycle {
  private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);

  private final DeviceManager manager;
  private final KeyRotator rotator;

  AgentLifecycle(
      AgentSettings settings, @ConfigProperty(name = "quarkus.http.ssl-port") int agentPort)
      throws IOException {
    // The keys as the last rotation step left them: a killed agent resumes a rotation from here.
    var keys = KeyStore.loadNodeKeys(settings.stateDir());
    this.manager =
        new DeviceManager(
            keys,
            new StateStore(settings.stateDir()),
            new RtNetlinkLinks(),
            new RtNetlinkLocationRouting(ForwardingLedger.load(settings.stateDir())),
            settings.uapiDir(),
            new EncryptionEnforcer(new NftCommand(settings.nft()), agentPort));
    this.rotator = new KeyRotator(settings.stateDir(), manager);
    LOG.infof("node keys %s", keys);
  }

  void onStart(@Observes StartupEvent e) {
    try {
      if (!manager.restore()) {
        LOG.info("no configuration applied yet: waiting for the operator");
      }
    } catch (IOException | ConfigException ex) {
      // A damaged or unusable saved config must not keep the agent from taking a new one.
      LOG.errorf("cannot restore the saved configuration: %s", ex.getMessage());
    }
  }

  void onStop(@Observes ShutdownEvent e) {
    manager.close();
  }

  @Produces
  @Singleton
  DeviceManager manager() {
    return manager;
  }

  @Produces
  @Singleton
  KeyRotator rotator() {
    return rotator;
  }
}
