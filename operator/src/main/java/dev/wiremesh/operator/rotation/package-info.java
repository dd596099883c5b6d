/**
 * The rotation of nodes' WireGuard keys (docs/key-rotation.md): when a node's rotation starts (the
 * wiremesh.dev/rotate-key annotation, the mesh's interval), the state machine through Pending,
 * Distributing and Completed (or Failed), one node of a mesh at a time, and the keys the planner
 * gives each node while its key moves. The decisions are pure ({@link RotationStateMachine}); the
 * shell ({@link KeyRotations}) calls the agents and records Events.
 */
package dev.wiremesh.operator.rotation;
