package dev.wiremesh.agent;

import dev.wiremesh.agent.AgentKilledMidApplyIT.Trigger;
import dev.wiremesh.api.agent.DeviceConfig;
import java.util.List;

/**
 * One kill of {@link AgentKilledMidApplyIT}: what was sent, when the agent was killed, and what it
 * left; its {@link #toString} heads every failure message, so that CI's output says which kill, at
 * what point and what was found.
 */
final class KillRound {
  private final KillConfigs configs;
  final int index;
  final String method;
  final DeviceConfig held;
  final DeviceConfig sent;
  final Trigger trigger;
  final long delayMs;
  final long typicalApplyMs;

  /** The temporary file whose creation triggered the kill ({@link Trigger#SAVE}). */
  String savedFile;

  long killedAfterUs;

  /** The answer's HTTP status, -1 for none. */
  int status = -1;

  List<String> debris = List.of();

  /** The hash of the config on disk after the kill. */
  String found;

  /** The host as the kill left it (what outlives the process: routes over the node network...). */
  NodeState hostAfterKill;

  KillRound(
      KillConfigs configs,
      int index,
      String method,
      DeviceConfig held,
      DeviceConfig sent,
      Trigger trigger,
      long delayMs,
      long typicalApplyMs) {
    this.configs = configs;
    this.index = index;
    this.method = method;
    this.held = held;
    this.sent = sent;
    this.trigger = trigger;
    this.delayMs = delayMs;
    this.typicalApplyMs = typicalApplyMs;
  }

  boolean answered() {
    return status == 200;
  }

  boolean newOnDisk() {
    return sent.hash().equals(found);
  }

  /**
   * Whether the host showed part of the new config after the kill while the old one was on disk:
   * the kill landed inside the apply, after it changed the host and before it saved.
   */
  boolean hostChangedButNotSaved() {
    if (hostAfterKill == null || newOnDisk()) {
      return false;
    }
    NodeState old = NodeState.of(held);
    NodeState next = NodeState.of(sent);
    return (!old.tables().equals(next.tables()) && hostAfterKill.tables().equals(next.tables()))
        || (!old.viaRoutes().equals(next.viaRoutes())
            && hostAfterKill.viaRoutes().equals(next.viaRoutes()));
  }

  /** Which kill, what was sent, when the kill came, what it left. */
  String describe() {
    return "kill "
        + index
        + ": "
        + method
        + " "
        + configs.name(held.hash())
        + " -> "
        + configs.name(sent.hash())
        + (trigger == Trigger.SAVE
            ? " killed at the creation of " + savedFile
            : " killed " + delayMs + " ms after sending (applies took ~" + typicalApplyMs + " ms)")
        + ", "
        + (killedAfterUs / 100) / 10.0
        + " ms in; "
        + (status == -1 ? "no answer" : "answered " + status)
        + "; on disk: "
        + (found == null ? "?" : configs.name(found) + (newOnDisk() ? " (new)" : " (old)"))
        + (debris.isEmpty() ? "" : "; left " + debris)
        + (hostChangedButNotSaved() ? "; the host already partly changed" : "");
  }

  /** {@link #describe}, and the host as the kill left it once read: for failure messages. */
  @Override
  public String toString() {
    return describe()
        + (hostAfterKill == null ? "" : "; the host after the kill: " + hostAfterKill);
  }

  /** The kills' outcomes, counted. */
  static final class Outcomes {
    int kills;
    int answered;
    int newNotAnswered;
    int old;
    int insideASave;
    int hostChangedButNotSaved;

    void add(KillRound r) {
      kills++;
      if (r.answered()) {
        answered++;
      } else if (r.newOnDisk()) {
        newNotAnswered++;
      } else {
        old++;
      }
      if (!r.debris.isEmpty()) {
        insideASave++;
      }
      if (r.hostChangedButNotSaved()) {
        hostChangedButNotSaved++;
      }
    }

    @Override
    public String toString() {
      return kills
          + " kills: "
          + old
          + " came back with the old config ("
          + hostChangedButNotSaved
          + " of them after the host had partly changed), "
          + newNotAnswered
          + " with the new one not yet answered, "
          + answered
          + " after the answer; "
          + insideASave
          + " inside a save (a temporary file left)";
    }
  }
}
