/**
 * Tunnel address management: a pure function from a mesh's address pools and its peers' requested
 * and recorded addresses to each peer's addresses. The peers' status is the record, so allocation
 * is stable across operator restarts; an address is never assigned twice.
 */
package dev.wiremesh.planner.ipam;
