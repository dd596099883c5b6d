/** What this code base shares about the operating system it runs on (Linux errno names). */
package dev.wiremesh.wireguard.os;
