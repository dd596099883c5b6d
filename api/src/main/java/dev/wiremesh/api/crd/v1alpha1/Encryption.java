package dev.wiremesh.api.crd.v1alpha1;

/** A mesh's must-encrypt policy (spec.encryption); see docs/encryption.md. */
public enum Encryption {
  /** Traffic goes through the tunnels when they are up; nothing blocks plaintext. */
  Preferred,
  /**
   * Every node drops packets to and from the mesh's protected networks that would not go through
   * its WireGuard interface, also when a tunnel is down or the agent is gone.
   */
  Required
}
