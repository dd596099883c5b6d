package dev.wiremesh.planner.locations;

/**
 * A route over the node's own network instead of the tunnel (Direct mode): {@code to} via the next
 * hop {@code via}, with {@code src} (one of the node's tunnel addresses of that family) as the
 * preferred source so that answers come back to the tunnel address.
 */
public record PlannedRoute(String to, String via, String src) {}
