/**
 * The location topology: nodes grouped into locations (one cloud, one data centre, one site), one
 * leader per location carrying the location's traffic to the other locations' leaders. Pure
 * functions, as the full-mesh planner: which node leads each location ({@link LocationLeaders}),
 * when an agent counts as gone ({@link AgentLiveness}), and every node's device, role and routes
 * ({@link LocationPlanner}).
 */
package dev.wiremesh.planner.locations;
