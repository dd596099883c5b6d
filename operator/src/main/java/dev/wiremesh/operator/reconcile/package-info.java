/**
 * The reconcilers and the services they share: keeping a WireGuardPeer per selected node, running
 * IPAM and the planner over a mesh, pushing to the agents, and writing what the agents report into
 * the resources' status. Everything here is the Kubernetes-facing shell around the pure cores in
 * {@code ipam}, {@code topology} and {@code agent}.
 */
package dev.wiremesh.operator.reconcile;
