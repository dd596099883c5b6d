package dev.wiremesh.cli.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.mesh.Freshness;
import dev.wiremesh.cli.mesh.Human;
import dev.wiremesh.cli.mesh.MeshState;
import dev.wiremesh.cli.mesh.Pair;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What {@code status} shows of one mesh; also its JSON and YAML form. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeshReport(
    String mesh,
    String ready,
    List<NodeRow> nodes,
    List<ExternalRow> externalPeers,
    List<TunnelRow> tunnels) {

  /** A node of the mesh. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record NodeRow(
      String peer,
      String node,
      boolean gateway,
      String address,
      String endpoint,
      String publicKey,
      String ready) {}

  /** An external peer of the mesh. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ExternalRow(
      String peer, String address, String endpoint, List<String> allowedIPs, String ready) {}

  /**
   * A pair of peers that should hold a tunnel.
   *
   * @param lastHandshake RFC 3339, or null when never
   * @param freshness FRESH, STALE or NONE
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TunnelRow(
      String a,
      String b,
      String lastHandshake,
      String age,
      Freshness freshness,
      String countedBy,
      Long rxBytes,
      Long txBytes) {}

  static MeshReport of(MeshState s, Instant now) {
    List<NodeRow> nodes = new ArrayList<>();
    List<ExternalRow> externals = new ArrayList<>();
    for (WireGuardPeer p : s.peers().values()) {
      String name = p.getMetadata().getName();
      var st = p.getStatus();
      String address = st == null ? null : st.getAddress();
      String ready = condition(st == null ? null : st.getConditions(), "Ready");
      if (p.getSpec().isExternal()) {
        externals.add(
            new ExternalRow(
                name,
                address,
                p.getSpec().getEndpoint() != null
                    ? p.getSpec().getEndpoint()
                    : st == null ? null : st.getEndpoint(),
                p.getSpec().getAllowedIPs() == null ? List.of() : p.getSpec().getAllowedIPs(),
                ready));
      } else {
        nodes.add(
            new NodeRow(
                name,
                p.getSpec().getNode(),
                "gateway".equals(s.kind(name)),
                address,
                st == null ? null : st.getEndpoint(),
                st == null ? null : st.getPublicKey(),
                ready));
      }
    }
    List<TunnelRow> tunnels = new ArrayList<>();
    for (Pair pair : s.pairs()) {
      tunnels.add(
          new TunnelRow(
              pair.a(),
              pair.b(),
              pair.lastHandshake() == null ? null : pair.lastHandshake().toString(),
              Human.age(pair.lastHandshake(), now),
              Freshness.of(pair.lastHandshake(), now),
              pair.rxBytes() == null ? null : pair.from(),
              pair.rxBytes(),
              pair.txBytes()));
    }
    var ms = s.mesh().getStatus();
    return new MeshReport(
        s.name(),
        condition(ms == null ? null : ms.getConditions(), "Ready"),
        nodes,
        externals,
        tunnels);
  }

  private static String condition(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .map(Condition::getStatus)
        .findFirst()
        .orElse(null);
  }
}
