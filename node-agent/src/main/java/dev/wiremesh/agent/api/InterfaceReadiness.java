package dev.wiremesh.agent.api;

import dev.wiremesh.agent.device.DeviceManager;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the interface exists and carries a configuration, restored or received. */
@Readiness
public class InterfaceReadiness implements HealthCheck {
  private final DeviceManager manager;

  InterfaceReadiness(DeviceManager manager) {
    this.manager = manager;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("wireguard-interface")
        .status(manager.ready())
        .withData("appliedHash", String.valueOf(manager.appliedHash()))
        .build();
  }
}
