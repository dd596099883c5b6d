package dev.wiremesh.operator.reconcile;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Leader election over a Lease, so that of two replicas only one reconciles and pushes to the
 * agents; the other waits to take over.
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {

  public static final String LEASE_NAME = "wiremesh-operator-leader";

  public LeaderElection() {
    super(
        LEASE_NAME,
        ConfigProvider.getConfig()
            .getOptionalValue("wiremesh.namespace", String.class)
            .orElse("wiremesh-system"));
  }
}
