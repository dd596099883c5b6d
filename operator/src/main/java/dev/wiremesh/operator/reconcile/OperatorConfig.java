package dev.wiremesh.operator.reconcile;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The operator's settings ({@code wiremesh.*} in application.properties or the environment). */
@ConfigMapping(prefix = "wiremesh")
public interface OperatorConfig {

  /** The namespace of the operator: its PKI Secrets, the agent Pods, the peers' config Secrets. */
  @WithDefault("wiremesh-system")
  String namespace();

  /** How often every mesh is re-read and the agents polled for status. */
  @WithDefault("30s")
  Duration resync();

  AgentSettings agent();

  PkiSettings pki();

  /** The operator's PKI (docs/reliability.md, certificate renewal). */
  interface PkiSettings {
    /**
     * How often the PKI Secrets are re-read, so that a deleted or edited Secret is put right and a
     * certificate that has become due is renewed (a third of its lifetime before it expires).
     */
    @WithDefault("5m")
    Duration checkInterval();

    /**
     * After the CA is renewed (a third of its ten years before it expires), how long the agents'
     * and the operator's certificates of the replaced CA stay in use while every agent reloads the
     * new CA beside the old one; then they are issued anew by the new CA. Longer than the agents
     * take to see a changed Secret (the kubelet's sync, up to about a minute and a half, plus their
     * reload period, a minute).
     */
    @WithDefault("10m")
    Duration caOverlap();
  }

  TopologySettings topology();

  EncryptionSettings encryption();

  NatSettings nat();

  /** NAT traversal's bounded times (WireGuardMesh spec.natTraversal, docs/nat-traversal.md). */
  interface NatSettings {
    /** How long a new pair with an end behind NAT tries the direct path before it is relayed. */
    @WithDefault("20s")
    Duration attempt();

    /** How long a relayed pair must hear itself directly without a gap before it goes Direct. */
    @WithDefault("15s")
    Duration settle();
  }

  /** The must-encrypt policy (WireGuardMesh spec.encryption Required, docs/encryption.md). */
  interface EncryptionSettings {
    /**
     * The Kubernetes API server's addresses (ip:port, [ip6]:port) every agent exempts, besides the
     * one this operator reaches it at: in a cluster, its real addresses (kubectl get endpoints
     * kubernetes), which kube-proxy puts in place of the Service's address.
     */
    java.util.Optional<java.util.List<String>> apiServers();
  }

  /** The location topology (WireGuardMesh spec.topology.mode Locations). */
  interface TopologySettings {
    /**
     * How long a location leader's agent may go without answering a status poll before another node
     * of the location takes over; also how long a returning preferred node must answer without a
     * gap before it takes the role back. See docs/topology.md for the whole failover time.
     */
    @WithDefault("20s")
    Duration failoverAfter();
  }

  /** How the agents are found and spoken to. */
  interface AgentSettings {
    /** The label selector of the agent Pods. */
    @WithDefault("app.kubernetes.io/name=wiremesh-agent")
    String selector();

    /** The agent port, unless the Pod declares a container port named "agent". */
    @WithDefault("9443")
    int port();

    /** How many agents are pushed to at once. */
    @WithDefault("16")
    int parallelism();

    @WithDefault("2s")
    Duration connectTimeout();

    @WithDefault("10s")
    Duration requestTimeout();

    /** Attempts per push before the agent is left for the next reconcile. */
    @WithDefault("3")
    int attempts();
  }
}
