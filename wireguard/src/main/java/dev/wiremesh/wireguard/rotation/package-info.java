/**
 * Static-key rotation in the data plane: an interface that holds two static keys at once while its
 * peers move from the old one to the new one. Which key a handshake message addresses is told by
 * its MAC1 (whitepaper §5.4.4: MAC1 is keyed with HASH(LABEL_MAC1 ‖ the receiver's static public
 * key)), so both are answered without a trial decryption. No I/O.
 */
package dev.wiremesh.wireguard.rotation;
