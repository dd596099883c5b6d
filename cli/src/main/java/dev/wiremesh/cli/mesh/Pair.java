package dev.wiremesh.cli.mesh;

import java.time.Instant;

/**
 * Two peers that should hold a tunnel, and how it is doing.
 *
 * @param a the first peer by name
 * @param b the second
 * @param lastHandshake the newest handshake either node reported, or null when never
 * @param from the node whose counters rxBytes and txBytes are
 * @param rxBytes bytes {@code from} received on this tunnel, or null when unknown
 */
public record Pair(
    String a,
    String b,
    String kindA,
    String kindB,
    Instant lastHandshake,
    String from,
    Long rxBytes,
    Long txBytes) {}
