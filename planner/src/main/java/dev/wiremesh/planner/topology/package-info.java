/**
 * The topology planner: a pure function from a mesh's settings, its nodes and its external peers to
 * every node's device configuration, and to each external peer's wg-quick file. Output is sorted so
 * that the same input always gives the same configuration (and hash), and configurations never
 * flap.
 */
package dev.wiremesh.planner.topology;
