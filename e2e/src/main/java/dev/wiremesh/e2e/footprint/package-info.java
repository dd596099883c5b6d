/**
 * The footprint benchmark of the local mesh ({@code e2e/bench/footprint.sh}): the agents' and the
 * operator's resident memory once the mesh is idle, and an agent's start to Ready from its
 * persisted state, for the JVM flags given, measured side by side in one run.
 */
package dev.wiremesh.e2e.footprint;
