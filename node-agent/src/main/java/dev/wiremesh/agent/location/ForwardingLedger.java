package dev.wiremesh.agent.location;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.agent.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * What this agent turned on in the host's forwarding switches, kept in its state folder ({@value
 * #FILE}) so that an agent that restarts — after leading a location — still turns off what it
 * turned on once the node stops leading, and never what was on before it (the node's own settings).
 * An entry is recorded before the switch is turned on and dropped after it is turned off, so a kill
 * in between leaves an entry whose switch is off, which turning off again does not harm.
 *
 * <p>Only the agent's device manager calls this (one apply at a time); not thread-safe.
 */
public final class ForwardingLedger {
  private static final Logger LOG = Logger.getLogger(ForwardingLedger.class.getName());

  public static final String FILE = "forwarding-turned-on.json";

  /** The file's content: interfaces with IPv4 forwarding, and net.ipv6.conf.all.forwarding. */
  record Owned(List<String> ipv4, boolean ipv6) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final SortedSet<String> ipv4 = new TreeSet<>();
  private boolean ipv6;

  private ForwardingLedger(Path file) {
    this.file = file;
  }

  /**
   * The ledger in {@code stateDir}, as the last run left it; empty when there is none. A damaged
   * file is logged and taken as empty: turning off a switch this agent may not have turned on would
   * be worse than leaving one on.
   */
  public static ForwardingLedger load(Path stateDir) throws IOException {
    ForwardingLedger l = new ForwardingLedger(stateDir.resolve(FILE));
    AtomicFiles.removeLeftovers(l.file);
    if (Files.exists(l.file)) {
      try {
        Owned o = JSON.readValue(l.file.toFile(), Owned.class);
        if (o.ipv4() != null) {
          l.ipv4.addAll(o.ipv4());
        }
        l.ipv6 = o.ipv6();
      } catch (IOException e) {
        LOG.warning(
            l.file + " cannot be read (" + e.getMessage() + "): no forwarding is turned off");
      }
    }
    return l;
  }

  /** The interfaces this agent turned IPv4 forwarding on for. */
  public Set<String> ipv4() {
    return Set.copyOf(ipv4);
  }

  /** Whether this agent turned net.ipv6.conf.all.forwarding on. */
  public boolean ipv6() {
    return ipv6;
  }

  /** Records that this agent turns (or turned) IPv4 forwarding on for {@code ifname}, or not. */
  public void ipv4(String ifname, boolean owned) throws IOException {
    if (owned ? ipv4.add(ifname) : ipv4.remove(ifname)) {
      save();
    }
  }

  /** Records that this agent turns (or turned) IPv6 forwarding on, or not. */
  public void ipv6(boolean owned) throws IOException {
    if (ipv6 != owned) {
      ipv6 = owned;
      save();
    }
  }

  private void save() throws IOException {
    AtomicFiles.write(file, JSON.writeValueAsBytes(new Owned(List.copyOf(ipv4), ipv6)));
  }
}
