/**
 * The agent's part of the location topology: a location leader forwards between its interfaces, and
 * in Direct mode nodes route over the location's own network to their leader and to each other
 * ({@link LocationRouting}, over rtnetlink in {@code dev.wiremesh.agent.netlink}). {@link
 * ViaRoutes} checks the config's routes before anything is applied; {@link ForwardingLedger}
 * remembers across restarts which forwarding switches the agent turned on.
 */
package dev.wiremesh.agent.location;
