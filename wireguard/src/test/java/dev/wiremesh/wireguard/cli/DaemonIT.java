package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.testing.Netns;
import dev.wiremesh.wireguard.testing.WgNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wiremesh-wg launcher's contract, as wireguard-go's: background start, {@code -f}, LOG_LEVEL,
 * SIGTERM, usage errors and exit codes, a second daemon refused, and wg-quick's userspace hook.
 */
class DaemonIT {
  private static final String IMPL = WgNode.JAVA_IMPL;
  private static final Duration START = Duration.ofSeconds(30);

  private final List<Netns> namespaces = new ArrayList<>();

  private Netns ns() {
    Netns ns = Netns.create("wmd");
    namespaces.add(ns);
    return ns;
  }

  private static String ifname() {
    return "wmd" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
  }

  private static Path socket(String ifname) {
    return Path.of("/var/run/wireguard", ifname + ".sock");
  }

  @AfterEach
  void cleanUp() {
    namespaces.forEach(Netns::close);
  }

  @Test
  void sigtermToTheBackgroundDaemonRemovesSocketAndInterface() {
    Netns ns = ns();
    String ifname = ifname();
    ns.exec(IMPL, ifname); // returns once the TUN and the socket exist
    assertThat(socket(ifname)).exists();
    assertThat(ns.tryExec(Duration.ofSeconds(5), "ip", "link", "show", ifname).ok()).isTrue();
    List<ProcessHandle> daemons = daemonsIn(ns);
    assertThat(daemons).as("the daemon runs on in the background").hasSize(1);

    Netns.run("kill", "-TERM", String.valueOf(daemons.getFirst().pid()));

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(daemons.getFirst().isAlive()).isFalse();
              assertThat(socket(ifname)).doesNotExist();
              assertThat(ns.tryExec(Duration.ofSeconds(5), "ip", "link", "show", ifname).ok())
                  .as("the interface is gone")
                  .isFalse();
            });
  }

  @Test
  void deletingTheInterfaceEndsTheDaemon() {
    Netns ns = ns();
    String ifname = ifname();
    ns.exec(IMPL, ifname);
    List<ProcessHandle> daemons = daemonsIn(ns);
    ns.exec("ip", "link", "del", ifname);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(daemons.getFirst().isAlive()).isFalse();
              assertThat(socket(ifname)).doesNotExist();
            });
  }

  @Test
  void foregroundVerboseRunLogsInWireguardGosFormatAndExitsCleanlyOnSigterm() throws Exception {
    Netns ns = ns();
    String ifname = ifname();
    Process p = ns.spawn("env", "LOG_LEVEL=verbose", IMPL, "-f", ifname);
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    await().atMost(START).until(() -> Files.exists(socket(ifname)));
    String peer = WgNode.pubkey(WgNode.genkey());
    // A private and a preshared key set through wg, as a user does: neither may reach the log.
    String privateKey = WgNode.genkey();
    String presharedKey = Netns.run("wg", "genpsk").strip();
    Path keys = Files.createTempDirectory("daemon-it-keys");
    try {
      Files.writeString(keys.resolve("private"), privateKey + "\n");
      Files.writeString(keys.resolve("psk"), presharedKey + "\n");
      ns.exec(
          "wg",
          "set",
          ifname,
          "listen-port",
          "0",
          "private-key",
          keys.resolve("private").toString(),
          "peer",
          peer,
          "preshared-key",
          keys.resolve("psk").toString(),
          "allowed-ips",
          "10.8.0.2/32");
    } finally {
      try (var files = Files.list(keys)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(keys);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> String.join("\n", lines).contains("UAPI: Adding allowedip"));
    assertThat(p.isAlive()).as("-f keeps the daemon in the foreground").isTrue();

    Netns.run("kill", "-TERM", String.valueOf(p.pid()));
    assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("exit status after SIGTERM").isZero();
    assertThat(socket(ifname)).doesNotExist();

    Pattern format =
        Pattern.compile(
            "(DEBUG|ERROR): \\(" + ifname + "\\) \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\S.*");
    List<String> seen = List.copyOf(lines);
    assertThat(seen).isNotEmpty().allMatch(l -> format.matcher(l).matches(), "wireguard-go format");
    assertThat(String.join("\n", seen))
        .contains("UAPI listener started")
        .contains(
            "offloads: tun-vnet-hdr on, tun-tso on (csum, tso4, tso6), udp-gso on (ipv4, ipv6),"
                + " udp-gro on (ipv4, ipv6)")
        .contains("UAPI: Created")
        .contains("UAPI: Updating listen port");
    for (String key : List.of(privateKey, presharedKey)) {
      String hex = java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(key));
      assertThat(String.join("\n", seen))
          .as("a key set through wg, in base64 or hex")
          .doesNotContain(key)
          .doesNotContainIgnoringCase(hex);
    }
  }

  @Test
  void usageErrorsVersionAndExitCodes() {
    Netns.Result none = Netns.tryRun(START, IMPL);
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.output()).contains("Usage: wiremesh-wg [-f|--foreground] INTERFACE-NAME");
    assertThat(Netns.tryRun(START, IMPL, "wg0", "wg1").status()).isEqualTo(1);
    Netns.Result bogus = Netns.tryRun(START, IMPL, "--bogus", "wg0");
    assertThat(bogus.status()).isEqualTo(1);
    assertThat(bogus.output()).contains("unknown option '--bogus'");
    Netns.Result version = Netns.tryRun(START, IMPL, "--version");
    assertThat(version.status()).isZero();
    assertThat(version.output().strip()).startsWith("wiremesh-wg ");

    Netns ns = ns();
    Netns.Result loud = ns.tryExec(START, "env", "LOG_LEVEL=loud", IMPL, ifname());
    assertThat(loud.status()).isEqualTo(1);
    assertThat(loud.output()).contains("LOG_LEVEL 'loud' is not one of verbose, debug, error");
    Netns.Result badOffload =
        ns.tryExec(START, "env", "WIREMESH_WG_DISABLE_OFFLOADS=gso", IMPL, ifname());
    assertThat(badOffload.status()).isEqualTo(1);
    assertThat(badOffload.output().strip().lines()).hasSize(1);
    assertThat(badOffload.output())
        .contains("WIREMESH_WG_DISABLE_OFFLOADS: \"gso\" is not an offload; valid:");
    Netns.Result tooLong = ns.tryExec(START, IMPL, "wmd-far-too-long-name");
    assertThat(tooLong.status()).isEqualTo(1);
    assertThat(tooLong.output().strip().lines()).hasSize(1);
    assertThat(tooLong.output()).contains("wmd-far-too-long-name");
    Netns.Result notRoot =
        ns.tryExec(
            START, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", IMPL, ifname());
    assertThat(notRoot.status()).isEqualTo(1);
    assertThat(notRoot.output().strip().lines()).hasSize(1);
    assertThat(notRoot.output()).contains("/dev/net/tun").contains("root");
  }

  @Test
  void aSecondDaemonForTheSameInterfaceIsRefusedInOneLine() {
    String ifname = ifname();
    Netns first = ns();
    first.exec(IMPL, ifname);
    // Another namespace, same name: its TUN is new but the UAPI socket path is taken.
    Netns second = ns();
    Netns.Result r = second.tryExec(START, IMPL, ifname);
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.output().strip().lines()).hasSize(1);
    assertThat(r.output()).contains(socket(ifname).toString()).contains("in use");
    assertThat(daemonsIn(second)).isEmpty();
    // and the first still answers wg
    assertThat(first.exec("wg", "show", ifname, "listen-port").strip()).matches("\\d+");
    first.exec("ip", "link", "del", ifname); // the daemon exits and removes its socket
    await().atMost(Duration.ofSeconds(15)).until(() -> !Files.exists(socket(ifname)));
  }

  @Test
  void wgQuickUpAndDownWithWiremeshWgAsUserspaceImplementation() throws IOException {
    Netns a = ns();
    Netns b = ns();
    Netns.link(a, "vqa", List.of("192.0.2.1/24"), b, "vqb", List.of("192.0.2.2/24"));
    String keyA = WgNode.genkey();
    String keyB = WgNode.genkey();
    Path dir = Files.createTempDirectory("wgquick");
    String ifA = ifname();
    String ifB = ifname();
    Path confA = dir.resolve(ifA + ".conf");
    Path confB = dir.resolve(ifB + ".conf");
    Files.writeString(
        confA,
        """
        [Interface]
        PrivateKey = %s
        Address = 10.77.0.1/24
        ListenPort = 51901

        [Peer]
        PublicKey = %s
        AllowedIPs = 10.77.0.2/32
        Endpoint = 192.0.2.2:51902
        """
            .formatted(keyA, WgNode.pubkey(keyB)));
    Files.writeString(
        confB,
        """
        [Interface]
        PrivateKey = %s
        Address = 10.77.0.2/24
        ListenPort = 51902

        [Peer]
        PublicKey = %s
        AllowedIPs = 10.77.0.1/32
        Endpoint = 192.0.2.1:51901
        """
            .formatted(keyB, WgNode.pubkey(keyA)));
    String impl = "WG_QUICK_USERSPACE_IMPLEMENTATION=" + IMPL;
    a.exec("env", impl, "wg-quick", "up", confA.toString());
    b.exec("env", impl, "wg-quick", "up", confB.toString());
    assertThat(a.exec("wg", "show", ifA, "listen-port").strip()).isEqualTo("51901");
    assertThat(a.exec("ip", "-4", "addr", "show", ifA)).contains("10.77.0.1/24");
    assertThat(daemonsIn(a)).hasSize(1);
    assertThat(a.tryExec(Duration.ofSeconds(20), "ping", "-c", "1", "-W", "10", "10.77.0.2").ok())
        .as("ping through the two wg-quick interfaces")
        .isTrue();
    assertThat(a.exec("wg", "show", ifA, "latest-handshakes")).doesNotContain("\t0");

    a.exec("wg-quick", "down", confA.toString());
    b.exec("wg-quick", "down", confB.toString());
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(socket(ifA)).doesNotExist();
              assertThat(socket(ifB)).doesNotExist();
              assertThat(daemonsIn(a)).isEmpty();
              assertThat(daemonsIn(b)).isEmpty();
            });
  }

  /** The processes running in a namespace (the daemon is the only long-lived one). */
  private static List<ProcessHandle> daemonsIn(Netns ns) {
    String pids = Netns.tryRun(Duration.ofSeconds(5), "ip", "netns", "pids", ns.name()).output();
    List<ProcessHandle> out = new ArrayList<>();
    for (String pid : pids.split("\\s+")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid.strip()))
            .filter(ProcessHandle::isAlive)
            .ifPresent(out::add);
      }
    }
    return out;
  }
}
