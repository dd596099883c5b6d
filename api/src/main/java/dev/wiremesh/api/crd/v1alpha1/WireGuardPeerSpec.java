package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** One peer: a node of the cluster, or an external peer identified by its public key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.node) != has(self.publicKey)",
    message =
        "exactly one of node (a cluster node, written by the operator) or publicKey (an external"
            + " peer) must be set")
public class WireGuardPeerSpec {
  /** A WireGuard public key: the base64 of 32 bytes (44 characters, ending in '='). */
  public static final String PUBLIC_KEY_PATTERN = "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$";

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription("The name of the WireGuardMesh this peer belongs to.")
  private String mesh;

  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription(
      "For a node peer: the Node's name. The operator writes node peers; do not set this for an"
          + " external peer.")
  private String node;

  @Pattern(PUBLIC_KEY_PATTERN)
  @JsonPropertyDescription(
      "For an external peer: its WireGuard public key, the base64 of 32 bytes as `wg pubkey`"
          + " prints it. Its private key stays with the peer and is never given to WireMesh.")
  private String publicKey;

  @Pattern("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?):[0-9]{1,5}$")
  @ValidationRule(
      value =
          "int(self.substring(self.lastIndexOf(':') + 1)) >= 1"
              + " && int(self.substring(self.lastIndexOf(':') + 1)) <= 65535",
      message = "endpoint: the port must be between 1 and 65535")
  @ValidationRule(
      value =
          "!self.startsWith('[') || (isIP(self.substring(1, self.lastIndexOf(']')))"
              + " && self.substring(1, self.lastIndexOf(']')).contains(':'))",
      message = "endpoint: an address in brackets must be an IPv6 address, such as [fd00::1]:51820")
  @JsonPropertyDescription(
      "Where the peer can be reached: host:port, with an IPv6 address in brackets"
          + " ([2001:db8::1]:51820); DNS names are allowed. Optional: a peer without one is reached"
          + " once it has connected.")
  private String endpoint;

  @Size(max = 39)
  @ValidationRule(
      value = "isIP(self)",
      message = "address must be an IPv4 or IPv6 address such as 10.100.0.7 or fd00:100::7")
  @JsonPropertyDescription(
      "The peer's tunnel address. Empty: allocated from the mesh's address pools. Set: must lie"
          + " in a pool and not be taken.")
  private String address;

  @Size(max = 64)
  @ValidationRule(
      value = "self.all(c, isCIDR(c))",
      message = "allowedIPs: every entry must be a CIDR such as 192.168.10.0/24 or fd00:10::/64")
  @JsonPropertyDescription(
      "Networks behind the peer that the mesh routes to it, in addition to its tunnel address.")
  private List<@Size(max = 43) String> allowedIPs = new ArrayList<>();

  @Min(0)
  @Max(65535)
  @JsonPropertyDescription(
      "Seconds between keepalives to this peer (0-65535; 0 turns them off); overrides the mesh's.")
  private Integer persistentKeepalive;

  @JsonPropertyDescription(
      "A Secret key holding a preshared key for this peer's tunnels (base64 of 32 bytes, as `wg"
          + " genpsk` prints), for an additional layer of symmetric encryption.")
  private SecretKeyRef presharedKeySecretRef;

  public String getMesh() {
    return mesh;
  }

  public void setMesh(String mesh) {
    this.mesh = mesh;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getPublicKey() {
    return publicKey;
  }

  public void setPublicKey(String publicKey) {
    this.publicKey = publicKey;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public List<String> getAllowedIPs() {
    return allowedIPs;
  }

  public void setAllowedIPs(List<String> allowedIPs) {
    this.allowedIPs = allowedIPs;
  }

  public Integer getPersistentKeepalive() {
    return persistentKeepalive;
  }

  public void setPersistentKeepalive(Integer persistentKeepalive) {
    this.persistentKeepalive = persistentKeepalive;
  }

  public SecretKeyRef getPresharedKeySecretRef() {
    return presharedKeySecretRef;
  }

  public void setPresharedKeySecretRef(SecretKeyRef presharedKeySecretRef) {
    this.presharedKeySecretRef = presharedKeySecretRef;
  }

  /** True for an external peer (one the user describes by its public key). */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isExternal() {
    return publicKey != null;
  }
}
