/**
 * From a mesh's resources (WireGuardMesh, WireGuardPeers, Nodes, preshared-key Secrets) to every
 * node's DeviceConfig, with no I/O: whatever must be fetched (identities, Secrets) comes in through
 * functions the caller supplies. The operator and {@code kubectl wiremesh plan} share it, so a plan
 * shows what the operator will do.
 */
package dev.wiremesh.planner.mesh;
