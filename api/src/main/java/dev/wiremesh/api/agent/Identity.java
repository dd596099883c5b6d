package dev.wiremesh.api.agent;

import java.util.List;

/**
 * What a node's agent tells the operator about itself: its WireGuard public key (the private key
 * never leaves the node), the port it listens on, and the addresses (host:port) it may be reached
 * at.
 */
public record Identity(String publicKey, int listenPort, List<String> endpoints) {
  public Identity {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }
}
