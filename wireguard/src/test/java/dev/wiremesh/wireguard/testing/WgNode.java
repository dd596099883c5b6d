package dev.wiremesh.wireguard.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One WireGuard interface inside a {@link Netns}, run by an implementation that follows
 * wireguard-go's command-line contract (the Java daemon's launcher, or Debian's wireguard-go) and
 * configured only through the stock {@code wg} tool, as a user would.
 */
public final class WgNode {
  /** The Java daemon's launcher, relative to the wireguard module (the tests' working folder). */
  public static final String JAVA_IMPL = Path.of("bin/wiremesh-wg").toAbsolutePath().toString();

  public static final String WIREGUARD_GO = "wireguard-go";

  private final Netns ns;
  private final String ifname;
  private final String privateKey;
  private final String publicKey;

  private WgNode(Netns ns, String ifname, String privateKey) {
    this.ns = ns;
    this.ifname = ifname;
    this.privateKey = privateKey;
    this.publicKey = pubkey(privateKey);
  }

  /**
   * Starts {@code impl ifname} in {@code ns} (it returns once the interface and its socket exist),
   * with extra environment variables {@code env} ("NAME=value"), and gives it a fresh private key.
   */
  public static WgNode start(Netns ns, String impl, String ifname, String... env) {
    List<String> cmd =
        new ArrayList<>(List.of("env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1"));
    cmd.addAll(Arrays.asList(env));
    cmd.add(impl);
    cmd.add(ifname);
    ns.exec(cmd.toArray(String[]::new));
    WgNode node = new WgNode(ns, ifname, genkey());
    node.wgSetKey(node.privateKey);
    return node;
  }

  public static String genkey() {
    return Netns.run("wg", "genkey").strip();
  }

  public static String pubkey(String privateKey) {
    try {
      Path f = Files.createTempFile("wgkey", ".key");
      try {
        Files.writeString(f, privateKey + "\n");
        return Netns.run("sh", "-c", "wg pubkey < " + f).strip();
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sets the private key through a file, as {@code wg set private-key} requires. */
  public void wgSetKey(String key) {
    try {
      Path f = Files.createTempFile("wgkey", ".key");
      try {
        Files.writeString(f, key + "\n");
        wg("set", ifname, "private-key", f.toString());
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code wg args...} in the namespace; fails with its output on a non-zero exit. */
  public String wg(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "wg";
    System.arraycopy(args, 0, cmd, 1, args.length);
    return ns.exec(cmd);
  }

  /** Adds addresses and brings the interface up. */
  public void up(String... addresses) {
    for (String a : addresses) {
      ns.exec("ip", "addr", "add", a, "dev", ifname);
    }
    ns.exec("ip", "link", "set", ifname, "up");
  }

  /** One ping; true when answered within the timeout. */
  public boolean ping(String address, Duration timeout) {
    return ns.tryExec(
            timeout.plusSeconds(2),
            "ping",
            "-c",
            "1",
            "-W",
            String.valueOf(Math.max(1, timeout.toSeconds())),
            address)
        .ok();
  }

  /** The value of one field of {@code wg show <if> <field>} for the peer with {@code publicKey}. */
  public String showField(String field, String peerPublicKey) {
    for (String line : wg("show", ifname, field).split("\n")) {
      String[] parts = line.split("\t");
      if (parts.length >= 2 && parts[0].equals(peerPublicKey)) {
        return String.join("\t", Arrays.copyOfRange(parts, 1, parts.length));
      }
    }
    return null;
  }

  public Netns ns() {
    return ns;
  }

  public String ifname() {
    return ifname;
  }

  public String privateKey() {
    return privateKey;
  }

  public String publicKey() {
    return publicKey;
  }

  /** The UAPI socket's path. */
  public Path socket() {
    return Path.of("/var/run/wireguard", ifname + ".sock");
  }

  /** Deletes the interface (the daemon should then exit and remove its socket). */
  public void delete() {
    ns.tryExec(Duration.ofSeconds(10), "ip", "link", "del", ifname);
  }
}
