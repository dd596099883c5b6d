/**
 * What a Kubernetes API server checks before it stores a custom resource, without one: the CRD's
 * OpenAPI schema (networknt's JSON Schema validator) and its CEL rules (cel-java with Kubernetes'
 * own functions bound), reported as field causes of a Status of reason Invalid. api/'s tests, the
 * local mesh's API server and {@code kubectl wiremesh plan} use the same checks.
 */
package dev.wiremesh.validation;
