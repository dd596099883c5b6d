/**
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as the whitepaper §5.4 specifies it: creating and consuming
 * initiations and responses, and deriving a session's keypair. No I/O; time from the injected
 * clock.
 */
package dev.wiremesh.wireguard.noise;
