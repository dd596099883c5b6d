package dev.wiremesh.operator.agent;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the agents from the node-agent Pods: one per node, at the Pod's host IP (the agent runs
 * with hostNetwork) and the configured port. Only running Pods that are not being deleted and whose
 * agent has started count; if a node has two (a rolling update), the newer one wins.
 *
 * <p>"Started" is the kubelet's verdict on the agent's startup probe (its API is up), not the Pod's
 * Ready condition: an agent reports ready only once it holds a configuration, which only the
 * operator can give it — waiting for Ready would wait forever.
 */
public final class AgentDiscovery {

  /** The label the agent DaemonSet's Pods carry. */
  public static final String AGENT_LABEL = "app.kubernetes.io/name";

  public static final String AGENT_LABEL_VALUE = "wiremesh-agent";

  private AgentDiscovery() {}

  /** The agents by node name. */
  public static Map<String, Agent> fromPods(Collection<Pod> pods, int port) {
    Map<String, Pod> best = new TreeMap<>();
    for (Pod p : pods) {
      if (!usable(p)) {
        continue;
      }
      String node = p.getSpec().getNodeName();
      best.merge(node, p, (a, b) -> created(b).compareTo(created(a)) > 0 ? b : a);
    }
    Map<String, Agent> out = new TreeMap<>();
    best.forEach(
        (node, p) ->
            out.put(node, new Agent(node, uri(p.getStatus().getHostIP(), portOf(p, port)))));
    return out;
  }

  /**
   * The Pod's container port named "agent" (hostNetwork: the same on the host), else the default.
   */
  static int portOf(Pod p, int fallback) {
    if (p.getSpec().getContainers() == null) {
      return fallback;
    }
    return p.getSpec().getContainers().stream()
        .filter(c -> c.getPorts() != null)
        .flatMap(c -> c.getPorts().stream())
        .filter(cp -> "agent".equals(cp.getName()) && cp.getContainerPort() != null)
        .map(cp -> cp.getContainerPort())
        .findFirst()
        .orElse(fallback);
  }

  static URI uri(String hostIp, int port) {
    String host = hostIp.contains(":") ? "[" + hostIp + "]" : hostIp;
    return URI.create("https://" + host + ":" + port);
  }

  private static boolean usable(Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null
        || p.getSpec() == null
        || p.getSpec().getNodeName() == null
        || p.getStatus() == null
        || p.getStatus().getHostIP() == null
        || !"Running".equals(p.getStatus().getPhase())) {
      return false;
    }
    boolean ready =
        p.getStatus().getConditions() != null
            && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    boolean started =
        p.getStatus().getContainerStatuses() != null
            && p.getStatus().getContainerStatuses().stream()
                .anyMatch(c -> Boolean.TRUE.equals(c.getStarted()));
    return ready || started;
  }

  private static String created(Pod p) {
    String t = p.getMetadata().getCreationTimestamp();
    return t == null ? "" : t;
  }
}
