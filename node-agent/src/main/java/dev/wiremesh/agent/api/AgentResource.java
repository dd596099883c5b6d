package dev.wiremesh.agent.api;

import dev.wiremesh.agent.AgentSettings;
import dev.wiremesh.agent.device.ConfigException;
import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.agent.keys.NodeKeys;
import dev.wiremesh.agent.rotation.KeyRotator;
import dev.wiremesh.agent.rotation.RotationConflictException;
import dev.wiremesh.api.agent.ConfigDelta;
import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.Identity;
import dev.wiremesh.api.agent.KeyRotationRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
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
  private final KeyRotator rotator;

  AgentResource(
      DeviceManager manager, AgentSettings settings, AgentMetrics metrics, KeyRotator rotator) {
    this.manager = manager;
    this.settings = settings;
    this.metrics = metrics;
    this.rotator = rotator;
  }

  @GET
  @Path("identity")
  public Identity identity() throws SocketException {
    return identity(manager.keys());
  }

  /** A step of the node's key rotation (docs/key-rotation.md); answers the identity after it. */
  @POST
  @Path("key-rotation")
  public Identity rotate(KeyRotationRequest request)
      throws ConfigException, IOException, RotationConflictException {
    if (request == null || request.action() == null) {
      throw new ConfigException("action", "one of prepare, commit, finish is required");
    }
    NodeKeys keys =
        switch (request.action()) {
          case KeyRotationRequest.PREPARE -> rotator.prepare();
          case KeyRotationRequest.COMMIT -> rotator.commit(requireKey(request));
          case KeyRotationRequest.FINISH -> rotator.finish(requireKey(request));
          default ->
              throw new ConfigException(
                  "action",
                  "must be one of prepare, commit, finish, got '" + request.action() + "'");
        };
    return identity(keys);
  }

  private static String requireKey(KeyRotationRequest r) throws ConfigException {
    if (r.publicKey() == null || r.publicKey().isBlank()) {
      throw new ConfigException("publicKey", "is required for " + r.action());
    }
    return r.publicKey();
  }

  private Identity identity(NodeKeys keys) {
    int port = manager.status().listenPort();
    if (port == 0) {
      port = settings.listenPort();
    }
    List<String> endpoints = new ArrayList<>();
    for (String ip : settings.endpoints().orElseGet(AgentResource::hostAddresses)) {
      endpoints.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
    }
    return new Identity(
        keys.current().publicKey().toBase64(),
        port,
        endpoints,
        keys.next() == null ? null : keys.next().publicKey().toBase64(),
        keys.previous() == null ? null : keys.previous().publicKey().toBase64(),
        List.of(Identity.KEY_ROTATION));
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
