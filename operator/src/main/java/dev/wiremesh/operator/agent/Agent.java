package dev.wiremesh.operator.agent;

import java.net.URI;

/**
 * One node agent, as discovered from its Pod.
 *
 * @param node the node the agent runs on
 * @param baseUri {@code https://<host IP>:<port>}
 */
public record Agent(String node, URI baseUri) {}
