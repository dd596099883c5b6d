/**
 * NAT traversal without a service outside the cluster (docs/nat-traversal.md), as pure functions:
 * which agents' reports of where a peer's authenticated packets came from are believed ({@link
 * Sightings}), which nodes are behind NAT and at which public endpoint the others reach them, the
 * path of every pair of nodes with its hysteresis and the relay of a pair without a direct path
 * ({@link NatPlanner}), and the configurations that carry it out ({@link NatRewrite}); the nodes of
 * a planned mesh as it sees them ({@link NatMembers}), and the state the operator records in
 * status, which a new operator and the kubectl plugin start from ({@link RecordedNat}).
 */
package dev.wiremesh.planner.nat;
