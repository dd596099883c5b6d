package dev.wiremesh.agent.rotation;

import dev.wiremesh.agent.device.DeviceManager;
import dev.wiremesh.agent.encryption.EncryptionEnforcer;
import dev.wiremesh.agent.encryption.NftCommand;
import dev.wiremesh.agent.keys.KeyStore;
import dev.wiremesh.agent.keys.NodeKeys;
import dev.wiremesh.agent.state.StateStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The agent's key steps in a process of their own, for {@link KeyRotationKillTest} to kill: it
 * starts as the agent starts (the keys as the last step left them on disk, the same {@link
 * KeyRotator} over a {@link DeviceManager}, no interface), prints the keys it holds, then either
 *
 * <ul>
 *   <li>{@code serve}: takes one step per line of stdin ({@code prepare}, {@code commit KEY},
 *       {@code finish KEY}, as {@code POST /v1/key-rotation} does) and prints the keys after it, or
 *       the conflict; or
 *   <li>{@code run}: rotates as fast as it can, the next step always the one the operator would ask
 *       for, printing the keys after each step, until it is killed.
 * </ul>
 *
 * <p>Keys are printed as {@link Keys#line}: public keys only.
 *
 * <pre>RotatingAgent STATE_DIR serve|run</pre>
 */
public final class RotatingAgent {
  private RotatingAgent() {}

  /** The public keys a node holds, as printed; "-" for none. */
  record Keys(String current, String next, String previous) {
    static Keys of(NodeKeys k) {
      return new Keys(
          k.current().publicKey().toBase64(),
          k.next() == null ? "-" : k.next().publicKey().toBase64(),
          k.previous() == null ? "-" : k.previous().publicKey().toBase64());
    }

    static Keys parse(String line) {
      String[] f = line.split(" ");
      if (f.length != 4 || !f[0].equals("keys")) {
        throw new IllegalArgumentException("not a keys line: " + line);
      }
      return new Keys(f[1], f[2], f[3]);
    }

    String line() {
      return "keys " + current + " " + next + " " + previous;
    }

    boolean hasNext() {
      return !next.equals("-");
    }

    boolean hasPrevious() {
      return !previous.equals("-");
    }
  }

  /** What the agent builds at start ({@code AgentLifecycle}), without an interface or nft. */
  static DeviceManager start(Path stateDir) throws Exception {
    return new DeviceManager(
        KeyStore.loadNodeKeys(stateDir),
        new StateStore(stateDir),
        (ifname, mtu, addresses, routes) -> {},
        stateDir.resolve("uapi"),
        new EncryptionEnforcer(new NftCommand("nft"), 9443));
  }

  /** The step the operator asks for next, from the keys the node holds. */
  static NodeKeys nextStep(KeyRotator rotator, NodeKeys k) throws Exception {
    if (k.next() != null) {
      return rotator.commit(k.next().publicKey().toBase64());
    }
    if (k.previous() != null) {
      return rotator.finish(k.current().publicKey().toBase64());
    }
    return rotator.prepare();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    DeviceManager manager = start(dir);
    KeyRotator rotator = new KeyRotator(dir, manager);
    NodeKeys keys = manager.keys();
    System.out.println(Keys.of(keys).line());
    System.out.flush();
    if (args[1].equals("run")) {
      while (true) {
        keys = nextStep(rotator, keys);
        System.out.println(Keys.of(keys).line());
        System.out.flush();
      }
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] step = line.split(" ");
      try {
        keys =
            switch (step[0]) {
              case "prepare" -> rotator.prepare();
              case "commit" -> rotator.commit(step[1]);
              case "finish" -> rotator.finish(step[1]);
              default -> throw new IllegalArgumentException(line);
            };
        System.out.println(Keys.of(keys).line());
      } catch (RotationConflictException e) {
        System.out.println("conflict " + e.getMessage());
      }
      System.out.flush();
    }
  }
}
