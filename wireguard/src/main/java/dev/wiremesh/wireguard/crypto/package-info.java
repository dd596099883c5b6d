/**
 * Thin adapters over BouncyCastle and the JDK for the primitives WireGuard uses: BLAKE2s (HASH,
 * MAC, HMAC, KDF), ChaCha20-Poly1305 (the JDK's intrinsic-accelerated Cipher), XChaCha20-Poly1305
 * and X25519 (BouncyCastle), TAI64N; and the key value types (constant-time equality, redacted
 * {@code toString}, zeroable). No primitive is written here by hand.
 */
package dev.wiremesh.wireguard.crypto;
