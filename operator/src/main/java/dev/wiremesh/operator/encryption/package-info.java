/**
 * The must-encrypt policy on the operator's side (docs/encryption.md): which policy each node's
 * agent is sent ({@link dev.wiremesh.operator.encryption.EncryptionPolicies}), the API server
 * addresses always exempt ({@link dev.wiremesh.operator.encryption.ApiServers}), and what the
 * agents report turned into each node peer's EncryptionEnforced condition and the mesh's summary
 * ({@link dev.wiremesh.operator.encryption.Enforcement}). Pure functions; MeshSync calls them.
 */
package dev.wiremesh.operator.encryption;
