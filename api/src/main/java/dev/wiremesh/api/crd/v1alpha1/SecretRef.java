package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A Secret, by namespace and name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretRef {
  @JsonPropertyDescription("The Secret's namespace.")
  private String namespace;

  @JsonPropertyDescription("The Secret's name.")
  private String name;

  public SecretRef() {}

  public SecretRef(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretRef r
        && Objects.equals(namespace, r.namespace)
        && Objects.equals(name, r.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name);
  }
}
