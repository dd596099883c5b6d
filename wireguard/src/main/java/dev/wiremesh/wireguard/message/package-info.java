/**
 * The wire formats: initiation (148 bytes), response (92), cookie reply (64), transport (16 + n).
 */
package dev.wiremesh.wireguard.message;
