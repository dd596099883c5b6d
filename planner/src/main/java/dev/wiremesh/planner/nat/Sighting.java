package dev.wiremesh.planner.nat;

import java.time.Instant;

/**
 * A node's agent saw authenticated packets of another node come from {@code endpoint}, last at
 * {@code seen}.
 *
 * @param observer the reporting node
 * @param peer the node it saw
 * @param endpoint ip:port ([ip6]:port), as the agent reported it
 */
public record Sighting(String observer, String peer, String endpoint, Instant seen) {}
