package dev.wiremesh.planner.mesh;

import dev.wiremesh.api.crd.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * Reads preshared keys from the Secrets peers name, through a lookup the caller supplies (the
 * operator's client, the plugin's). Errors name the field and the Secret, never the key.
 */
public final class PresharedKeys {

  private PresharedKeys() {}

  /**
   * The base64 preshared key, or null when {@code ref} is null.
   *
   * @param secrets looks a Secret up by the reference's namespace and name; null when it is absent
   * @throws IllegalArgumentException when the Secret or key is missing or not 32 bytes of base64
   */
  public static String read(SecretKeyRef ref, Function<SecretKeyRef, Secret> secrets) {
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
    Secret s = secrets.apply(ref);
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
