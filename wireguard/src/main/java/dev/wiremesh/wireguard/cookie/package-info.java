/**
 * Cookies (whitepaper §5.4.7): MAC1 on every handshake message, MAC2 and cookie replies under load,
 * the cookie secret rotated every two minutes.
 */
package dev.wiremesh.wireguard.cookie;
