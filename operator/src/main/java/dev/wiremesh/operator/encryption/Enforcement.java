package dev.wiremesh.operator.encryption;

import dev.wiremesh.api.agent.DeviceStatus;
import dev.wiremesh.api.agent.EncryptionStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each node's EncryptionEnforced condition from its agent's status, and the mesh's summary: {@code
 * Preferred}, {@code Enforced} (Required and every node enforces) or {@code NotEnforced}.
 *
 * @param nodes the condition of each node peer, by node name (empty when Preferred)
 * @param state the mesh's status.encryption
 * @param enforcedNodes nodes that enforce it (null when Preferred)
 * @param message for the mesh's EncryptionEnforced condition
 */
public record Enforcement(
    Map<String, NodeEnforcement> nodes, String state, Integer enforcedNodes, String message) {
  public static final String PREFERRED = "Preferred";
  public static final String ENFORCED = "Enforced";
  public static final String NOT_ENFORCED = "NotEnforced";

  public Enforcement {
    nodes = Map.copyOf(nodes);
  }

  public boolean required() {
    return !PREFERRED.equals(state);
  }

  /**
   * @param required the mesh's policy
   * @param planned the nodes of the plan
   * @param statuses what their agents reported this pass
   */
  public static Enforcement of(
      boolean required, Collection<String> planned, Map<String, DeviceStatus> statuses) {
    if (!required) {
      return new Enforcement(
          Map.of(), PREFERRED, null, "encryption is Preferred: plaintext is not blocked");
    }
    Map<String, NodeEnforcement> nodes = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    int enforced = 0;
    for (String node : planned) {
      NodeEnforcement e = node(statuses.get(node));
      nodes.put(node, e);
      if (e.enforced()) {
        enforced++;
      } else {
        missing.add(node + " (" + e.reason() + ")");
      }
    }
    boolean all = !planned.isEmpty() && missing.isEmpty();
    return new Enforcement(
        nodes,
        all ? ENFORCED : NOT_ENFORCED,
        enforced,
        all
            ? "every node drops plaintext to and from the mesh's protected networks"
            : planned.isEmpty()
                ? "no node is planned yet"
                : "not enforced on " + String.join(", ", missing));
  }

  static NodeEnforcement node(DeviceStatus s) {
    if (s == null) {
      return new NodeEnforcement(
          false,
          "AgentUnreachable",
          "the agent did not answer: its rules, if installed, stay in place (fail closed), but"
              + " this cannot be confirmed");
    }
    EncryptionStatus e = s.encryption();
    if (e == null) {
      return new NodeEnforcement(
          false,
          "AgentTooOld",
          "the agent on this node does not know the encryption policy: update it to a version that"
              + " reports encryption in GET /v1/status");
    }
    if (e.enforced()) {
      return new NodeEnforcement(
          true,
          EncryptionStatus.ENFORCED,
          e.message() + "; " + e.droppedPackets() + " packet(s) dropped so far");
    }
    if (EncryptionStatus.INSTALL_FAILED.equals(e.reason())) {
      return new NodeEnforcement(false, e.reason(), e.message());
    }
    return new NodeEnforcement(
        false, "Pending", "the agent has not been given the Required policy yet");
  }
}
