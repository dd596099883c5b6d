package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.testing.Netns;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol's behaviour as seen from outside: roaming, source checks, keys, keepalives. */
class BehaviourIT extends InteropFixture {

  @Test
  void endpointFollowsThePeerWhenItChangesPortAndAddress() {
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).isTrue();
    // Keep the new address when the old (primary) one goes.
    nsG.exec("sysctl", "-qw", "net.ipv4.conf.vg.promote_secondaries=1");
    nsG.exec("ip", "addr", "add", "192.0.2.77/24", "dev", "vg");
    nsG.exec("ip", "addr", "del", OUTER_G4 + "/24", "dev", "vg");
    go.wg("set", go.ifname(), "listen-port", "41000");
    assertThat(go.ping(J4, PING)).as("go -> java from its new address and port").isTrue();
    assertThat(wm.showField("endpoints", go.publicKey())).isEqualTo("192.0.2.77:41000");
    assertThat(wm.ping(G4, PING)).as("java -> go at the roamed endpoint").isTrue();
  }

  @Test
  void packetsFromOutsideTheSendersAllowedIpsAreDropped() {
    // go may send from all of 10.9.0.0/24 as far as go is concerned, but java allows only 10.9.0.2.
    peerBoth(false);
    go.wg("set", go.ifname(), "peer", wm.publicKey(), "allowed-ips", "10.9.0.0/24," + J6 + "/128");
    nsG.exec("ip", "addr", "add", "10.9.0.99/32", "dev", go.ifname());
    assertThat(go.ping(J4, PING)).as("from the allowed source").isTrue();
    long rxBefore = Long.parseLong(wm.showField("transfer", go.publicKey()).split("\t")[0]);
    Netns.Result spoofed =
        nsG.tryExec(Duration.ofSeconds(6), "ping", "-c", "3", "-W", "1", "-I", "10.9.0.99", J4);
    assertThat(spoofed.ok()).as("pings from 10.9.0.99 get no answer").isFalse();
    long rxAfter = Long.parseLong(wm.showField("transfer", go.publicKey()).split("\t")[0]);
    assertThat(rxAfter).as("they did reach java, which dropped them").isGreaterThan(rxBefore);
  }

  @Test
  void aPrivateKeyChangeLeadsToANewHandshake() {
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).isTrue();
    String oldPublic = wm.publicKey();
    String newPrivate = dev.wiremesh.wireguard.testing.WgNode.genkey();
    String newPublic = dev.wiremesh.wireguard.testing.WgNode.pubkey(newPrivate);
    wm.wgSetKey(newPrivate);
    assertThat(wm.wg("show", wm.ifname(), "public-key").strip()).isEqualTo(newPublic);
    go.wg("set", go.ifname(), "peer", oldPublic, "remove");
    go.wg(
        "set",
        go.ifname(),
        "peer",
        newPublic,
        "endpoint",
        OUTER_J4 + ":" + portJ,
        "allowed-ips",
        J4 + "/32," + J6 + "/128");
    assertThat(wm.ping(G4, PING)).as("traffic under the new key").isTrue();
    assertThat(Long.parseLong(go.showField("latest-handshakes", newPublic)))
        .as("go saw a handshake from the new key")
        .isPositive();
  }

  @Test
  void persistentKeepaliveSendsWithNoTraffic() {
    peerBoth(false);
    wm.wg("set", wm.ifname(), "peer", go.publicKey(), "persistent-keepalive", "1");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Long.parseLong(go.showField("latest-handshakes", wm.publicKey())))
                    .isPositive());
    long rx0 = Long.parseLong(go.showField("transfer", wm.publicKey()).split("\t")[0]);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Long.parseLong(go.showField("transfer", wm.publicKey()).split("\t")[0]))
                    .as("go keeps receiving keepalives (32 bytes each)")
                    .isGreaterThanOrEqualTo(rx0 + 3 * 32));
  }

  @Test
  void peersWithLowOrderPublicKeysMakeTheDeviceSendNothing() throws Exception {
    // A point of order 8 on Curve25519 (RFC 7748 section 5.2's low-order list): DH with it is zero.
    byte[] lowOrder =
        java.util.HexFormat.of()
            .parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    String key = Base64.getEncoder().encodeToString(lowOrder);
    Process listener = nsG.spawn("sh", "-c", "timeout 4 socat -u UDP-RECV:40000 - | wc -c");
    wm.wg(
        "set",
        wm.ifname(),
        "peer",
        key,
        "endpoint",
        OUTER_G4 + ":40000",
        "persistent-keepalive",
        "1",
        "allowed-ips",
        "10.9.0.50/32");
    nsJ.tryExec(Duration.ofSeconds(4), "ping", "-c", "2", "-W", "1", "10.9.0.50");
    await().atMost(Duration.ofSeconds(10)).until(() -> !listener.isAlive());
    String received = new String(listener.getInputStream().readAllBytes()).strip();
    assertThat(received).as("bytes the low-order peer's endpoint received").isEqualTo("0");
    assertThat(wm.wg("show", wm.ifname(), "peers")).contains(key);
  }

  @Test
  void sessionsRekeyRepeatedlyWhileTrafficFlows() throws Exception {
    // Test-only clock scale: REKEY_AFTER_TIME 120 s becomes 3 s on the Java side.
    String tag = wm.ifname().substring(3);
    wm.delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> !wm.socket().toFile().exists());
    startJava(tag + "r", "WIREMESH_WG_TIME_SCALE=40");
    wm.up(J4 + "/24", J6 + "/64");
    peerBoth(false);
    assertThat(wm.ping(G4, PING)).as("java initiates, so java is the one to rekey").isTrue();
    Process ping = nsJ.spawn("ping", "-i", "0.1", "-w", "16", "-q", G4);
    Set<String> handshakes = new HashSet<>();
    await()
        .pollInterval(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              handshakes.add(go.showField("latest-handshakes", wm.publicKey()));
              return !ping.isAlive();
            });
    String summary = new String(ping.getInputStream().readAllBytes());
    assertThat(handshakes)
        .as("distinct handshake times seen by wireguard-go")
        .hasSizeGreaterThanOrEqualTo(4);
    var m =
        java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) received")
            .matcher(summary);
    assertThat(m.find()).as(summary).isTrue();
    int sent = Integer.parseInt(m.group(1));
    int received = Integer.parseInt(m.group(2));
    assertThat(received)
        .as("echo replies out of " + sent + " while rekeying")
        .isGreaterThanOrEqualTo(sent - 3);
  }
}
