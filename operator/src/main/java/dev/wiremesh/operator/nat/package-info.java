/**
 * NAT traversal on the operator's side (docs/nat-traversal.md): each mesh's state between passes,
 * the agents' reports turned into decisions by the pure planner ({@link
 * dev.wiremesh.planner.nat.NatPlanner}), the configurations that carry them out, the log line of
 * each change, and what the statuses show.
 */
package dev.wiremesh.operator.nat;
