/**
 * The node's side of a key rotation (docs/key-rotation.md): the next key generated and stored
 * beside the current one before it is announced, committed when the operator says every peer knows
 * it, and the previous key dropped (zeroed, its file deleted) when the rotation finishes. Each step
 * is written to disk before the device takes it, so a killed agent resumes where it stood.
 */
package dev.wiremesh.agent.rotation;
