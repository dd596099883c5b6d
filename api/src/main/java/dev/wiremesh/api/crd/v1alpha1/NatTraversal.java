package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/**
 * NAT traversal (docs/nat-traversal.md): nodes behind NAT get direct tunnels where the NATs allow,
 * relayed through a reachable node of the mesh where they do not; nothing outside the cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.relays) || !has(self.mode) || self.mode == 'Auto'",
    message = "natTraversal.relays apply only with mode: Auto")
public class NatTraversal {

  /** Whether the operator traverses NATs. */
  public enum Mode {
    Auto,
    Off
  }

  @Default("Auto")
  @JsonPropertyDescription(
      "Auto (the default): a node seen behind NAT is published to the others at the public address"
          + " its packets come from, with keepalives, and two nodes that cannot reach each other"
          + " directly are relayed through a reachable node. Off: every node is reached at the"
          + " endpoint its agent advertises, as without NAT traversal.")
  private Mode mode;

  @Size(max = 16)
  @ValidationRule(
      value = "self.all(r, self.exists_one(o, o == r))",
      message = "natTraversal.relays must not name a node twice")
  @ValidationRule(
      value =
          "self.all(r, r.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))",
      message =
          "natTraversal.relays must be Node names: lower-case letters, digits, '-' and '.', starting"
              + " and ending with a letter or digit")
  @JsonPropertyDescription(
      "The nodes that relay traffic between two nodes without a direct path, in order of"
          + " preference (at most 16 Node names); the first of them that is reachable and whose"
          + " agent answers relays a pair. Absent: the gateways, then any reachable node, by name.")
  private List<@Size(max = 253) String> relays;

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public List<String> getRelays() {
    return relays;
  }

  public void setRelays(List<String> relays) {
    this.relays = relays;
  }

  public Mode effectiveMode() {
    return mode == null ? Mode.Auto : mode;
  }

  public List<String> effectiveRelays() {
    return relays == null ? List.of() : relays;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NatTraversal n && mode == n.mode && Objects.equals(relays, n.relays);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, relays);
  }
}
