/**
 * NAT traversal without a service outside the cluster (docs/nat-traversal.md), as pure functions:
 * which agents' reports of where a peer's authenticated packets came from are believed ({@link
 * Sightings}), which nodes are behind NAT and at which public endpoint the others reach them, the
 * path of every pair of nodes with its hysteresis and the relay of a pair without a direct path
 * ({@link NatPlanner}), and the configurations that carry it out ({@link NatRewrite}).
 */
package dev.wiremesh.planner.nat;
