/**
 * The cross-platform userspace API (wireguard.com/xplatform) on a UNIX socket, so the stock wg(8)
 * inspects and configures the device: {@code get=1} and {@code set=1} with wireguard-go's keys and
 * errno replies; a set request is validated whole before any of it applies.
 */
package dev.wiremesh.wireguard.uapi;
