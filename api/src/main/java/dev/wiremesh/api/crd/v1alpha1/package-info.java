/**
 * The custom resources users write, version v1alpha1 of group wiremesh.dev: {@link
 * dev.wiremesh.api.crd.v1alpha1.WireGuardMesh} (wgm) and {@link
 * dev.wiremesh.api.crd.v1alpha1.WireGuardPeer} (wgp), both cluster-scoped. The CRD YAML in crds/ is
 * generated from these classes.
 */
package dev.wiremesh.api.crd.v1alpha1;
