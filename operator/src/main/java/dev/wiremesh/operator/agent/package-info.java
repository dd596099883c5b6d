/**
 * The operator's side of the agent protocol: finding the agents, speaking HTTPS with mutual TLS to
 * them, and pushing configurations in parallel with a bound, with retries and backoff, so that one
 * failing agent never holds up the others.
 */
package dev.wiremesh.operator.agent;
