/**
 * The protocol the operator speaks to the node agents over mutual TLS: versioned paths ({@link
 * dev.wiremesh.api.agent.AgentApi}), the records exchanged, and the content hash both sides compute
 * ({@link dev.wiremesh.api.agent.ConfigHash}). Documented with examples in docs/agent-protocol.md.
 */
package dev.wiremesh.api.agent;
