package dev.wiremesh.api.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A route the agent keeps on the node's own network, outside the WireGuard interface: traffic for
 * {@code to} goes to the next hop {@code via} over whichever host interface reaches it. The
 * location topology's Direct mode uses these to send a location's traffic to its leader, and a
 * leader to reach its location's nodes, unencrypted over the location's network.
 *
 * @param to the destination, a CIDR in canonical form
 * @param via the next hop, an address of the same family as {@code to}
 * @param src the preferred source address (one of this node's tunnel addresses), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteConfig(String to, String via, String src) {}
