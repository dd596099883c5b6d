package dev.wiremesh.operator.reconcile;

import dev.wiremesh.api.crd.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads preshared keys from the Secrets peers name. The mesh reconciler watches Secrets, so a
 * changed key reaches the agents on the next pass. Errors name the field and the Secret, never the
 * key.
 */
@ApplicationScoped
public class PresharedKeys {

  @Inject KubernetesClient client;

  /**
   * The base64 preshared key, or null when {@code ref} is null.
   *
   * @throws IllegalArgumentException when the Secret or key is missing or not 32 bytes of base64
   */
  public String read(SecretKeyRef ref) {
    if (ref == null) {
      return null;
    }
    String where =
        "spec.presharedKeySecretRef: Secret "
            + ref.getNamespace()
            + "/"
            + ref.getName()
            + " key "
            + ref.effectiveKey();
    Secret s = client.secrets().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
    if (s == null) {
      throw new IllegalArgumentException(where + " does not exist");
    }
    String value = null;
    if (s.getData() != null && s.getData().get(ref.effectiveKey()) != null) {
      value =
          new String(
                  Base64.getDecoder().decode(s.getData().get(ref.effectiveKey())),
                  StandardCharsets.UTF_8)
              .strip();
    } else if (s.getStringData() != null) {
      value = s.getStringData().get(ref.effectiveKey());
    }
    if (value == null) {
      throw new IllegalArgumentException(where + " is missing");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      raw = new byte[0];
    }
    if (raw.length != 32) {
      throw new IllegalArgumentException(
          where + " must hold the base64 of 32 bytes, as `wg genpsk` prints");
    }
    return value.strip();
  }
}
