/**
 * The operator's small PKI: a CA created on first start and kept in a Secret, the agents' server
 * certificate and the operator's client certificate issued from it and renewed well before expiry,
 * and the TLS context the agent client uses. Certificates are built with BouncyCastle; keys are EC
 * P-256.
 */
package dev.wiremesh.operator.pki;
