package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** A key of a Secret in a namespace (the peer resources are cluster-scoped). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
  @JsonPropertyDescription("The Secret's namespace.")
  private String namespace;

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription("The Secret's name.")
  private String name;

  @Default("presharedKey")
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription(
      "The key in the Secret's data; its value is the base64 of 32 bytes, as `wg genpsk` prints.")
  private String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String namespace, String name, String key) {
    this.namespace = namespace;
    this.name = name;
    this.key = key;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String effectiveKey() {
    return key == null ? "presharedKey" : key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKeyRef r
        && Objects.equals(namespace, r.namespace)
        && Objects.equals(name, r.name)
        && Objects.equals(key, r.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name, key);
  }
}
