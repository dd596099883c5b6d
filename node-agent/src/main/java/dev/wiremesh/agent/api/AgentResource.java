package dev.wiremesh.agent.api;

import dev.wiremesh.agent.AgentSettings;
import dev.wiremesh.agent.device.ConfigException;
import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The agent protocol (docs/agent-protocol.md), served only over mutual TLS. */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
public class AgentResource {
  private final DeviceManager manager;
  private final AgentSettings settings;
  private final AgentMetrics metrics;

  AgentResource(DeviceManager manager, AgentSettings settings, AgentMetrics metrics) {
    this.manager = manager;
    this.settings = settings;
    this.metrics = metrics;
  }

  @GET
  @Path("identity")
  public Identity identity() throws SocketException {
    int port = manager.status().listenPort();
    if (port == 0) {
      port = settings.listenPort();
    }
    List<String> endpoints = new ArrayList<>();
    for (String ip : settings.endpoints().orElseGet(AgentResource::hostAddresses)) {
      endpoints.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
    }
    return new Identity(manager.publicKey().toBase64(), port, endpoints);
  }

  @PUT
  @Path("config")
  public DeviceStatus put(DeviceConfig config) throws ConfigException, IOException {
    if (config == null) {
      throw new ConfigException("body", "a DeviceConfig is required");
    }
    try {
      metrics.applied(manager.apply(config));
    } catch (ConfigException | IOException e) {
      metrics.applyFailed();
      throw e;
    }
    return manager.status();
  }

  @PATCH
  @Path("config")
  public DeviceStatus patch(ConfigDelta delta)
      throws ConfigException, IOException, DeviceManager.StaleBaseException {
    if (delta == null) {
      throw new ConfigException("body", "a ConfigDelta is required");
    }
    try {
      metrics.applied(manager.apply(delta));
    } catch (ConfigException | IOException e) {
      metrics.applyFailed();
      throw e;
    }
    return manager.status();
  }

  @GET
  @Path("status")
  public DeviceStatus status() {
    return manager.status();
  }

  /** Global unicast addresses of the node's interfaces, IPv4 first. */
  static List<String> hostAddresses() {
    List<String> v4 = new ArrayList<>();
    List<String> v6 = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback() || nif.isPointToPoint()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a.isLinkLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()) {
            continue;
          }
          String text = a.getHostAddress();
          int zone = text.indexOf('%');
          text = zone >= 0 ? text.substring(0, zone) : text;
          (a instanceof Inet6Address ? v6 : v4).add(text);
        }
      }
    } catch (SocketException e) {
      return List.of();
    }
    v4.addAll(v6);
    return v4;
  }
}
