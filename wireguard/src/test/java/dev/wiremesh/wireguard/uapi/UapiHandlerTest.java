package dev.wiremesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.device.Device;
import dev.wiremesh.wireguard.net.LinuxBind;
import dev.wiremesh.wireguard.net.MemoryBind;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.MemoryTun;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** get=1 in wireguard-go's exact format and set=1's semantics, on a device over memory doubles. */
class UapiHandlerTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final InetAddress ADDRESS = InetAddress.ofLiteral("192.0.2.10");

  private final MemoryNetwork network = new MemoryNetwork();
  private Device device;
  private UapiHandler handler;

  private final NoisePrivateKey priv = NoisePrivateKey.generate(RANDOM);
  private final String pubA = key();
  private final String pubB = key();
  private final String psk = NoisePrivateKey.generate(RANDOM).toHex();

  private static String key() {
    return NoisePrivateKey.generate(RANDOM).publicKey().toHex();
  }

  @BeforeEach
  void start() throws IOException {
    device =
        new Device(
            new MemoryTun("wgtest0"),
            network.bind(ADDRESS),
            Clock.system(),
            ProtocolTiming.standard());
    device.start();
    handler = new UapiHandler(device);
  }

  @AfterEach
  void stop() {
    device.close();
  }

  private void set(String... lines) throws UapiException {
    handler.set(SetRequest.parse(List.of(lines)));
  }

  private List<String> get() {
    return Arrays.asList(handler.get().split("\n"));
  }

  @Test
  void freshDeviceShowsOnlyItsRandomPort() {
    List<String> lines = get();
    assertThat(lines).hasSize(1);
    assertThat(lines.getFirst()).startsWith("listen_port=");
    assertThat(Integer.parseInt(lines.getFirst().substring("listen_port=".length())))
        .isBetween(1, 65535);
    assertThat(handler.get()).endsWith("\n");
  }

  @Test
  void getListsEveryKeyInWireguardGosOrder() throws UapiException {
    set(
        "private_key=" + priv.toHex(),
        "listen_port=51820",
        "fwmark=3735928559",
        "public_key=" + pubA,
        "preshared_key=" + psk,
        "endpoint=[2001:db8::1]:51821",
        "persistent_keepalive_interval=25",
        "allowed_ip=10.0.0.0/24",
        "allowed_ip=fd00::/64",
        "public_key=" + pubB);
    List<String> expectedA =
        List.of(
            "public_key=" + pubA,
            "preshared_key=" + psk,
            "protocol_version=1",
            "endpoint=[2001:db8::1]:51821",
            "last_handshake_time_sec=0",
            "last_handshake_time_nsec=0",
            "tx_bytes=", // counters checked by prefix: the keepalive may have been sent
            "rx_bytes=0",
            "persistent_keepalive_interval=25");
    List<String> expectedB =
        List.of(
            "public_key=" + pubB,
            "preshared_key=" + "0".repeat(64),
            "protocol_version=1",
            "last_handshake_time_sec=0",
            "last_handshake_time_nsec=0",
            "tx_bytes=0",
            "rx_bytes=0",
            "persistent_keepalive_interval=0");
    List<String> lines = get();
    assertThat(lines.subList(0, 3))
        .containsExactly("private_key=" + priv.toHex(), "listen_port=51820", "fwmark=3735928559");
    List<String> rest = lines.subList(3, lines.size());
    int a = rest.indexOf("public_key=" + pubA);
    int b = rest.indexOf("public_key=" + pubB);
    assertThat(a).isNotNegative();
    assertThat(b).isNotNegative();
    List<String> peerA = rest.subList(a, a < b ? b : rest.size());
    List<String> peerB = rest.subList(b, b < a ? a : rest.size());
    assertThat(peerA).hasSize(expectedA.size() + 2);
    for (int i = 0; i < expectedA.size(); i++) {
      assertThat(peerA.get(i)).startsWith(expectedA.get(i));
    }
    assertThat(peerA.subList(expectedA.size(), peerA.size()))
        .containsExactlyInAnyOrder("allowed_ip=10.0.0.0/24", "allowed_ip=fd00::/64");
    assertThat(peerB).containsExactlyElementsOf(expectedB);
  }

  @Test
  void privateKeyOmittedWhenUnsetOrRemoved() throws UapiException {
    set("private_key=" + priv.toHex());
    assertThat(get()).contains("private_key=" + priv.toHex());
    set("private_key=" + "0".repeat(64));
    assertThat(get()).noneMatch(l -> l.startsWith("private_key="));
  }

  @Test
  void fwmarkIsDecimalAndOmittedWhenZero() throws UapiException {
    set("fwmark=4294967295");
    assertThat(get()).contains("fwmark=4294967295");
    set("fwmark=0");
    assertThat(get()).noneMatch(l -> l.startsWith("fwmark="));
  }

  @Test
  void allowedIpIsPrintedMaskedAndLowercase() throws UapiException {
    set("public_key=" + pubA, "allowed_ip=10.1.2.3/8", "allowed_ip=FD00:0:0:0:0:0:0:1/128");
    assertThat(get()).contains("allowed_ip=10.0.0.0/8", "allowed_ip=fd00::1/128");
  }

  @Test
  void endpointIpv4IsPrintedWithoutBrackets() throws UapiException {
    set("public_key=" + pubA, "endpoint=198.51.100.7:65535");
    assertThat(get()).contains("endpoint=198.51.100.7:65535");
  }

  @Test
  void replacePeersRemovesEveryPeerNotInTheRequest() throws UapiException {
    set("public_key=" + pubA, "public_key=" + pubB);
    set("replace_peers=true", "public_key=" + pubB, "allowed_ip=10.0.0.2/32");
    assertThat(peers()).containsExactly(pubB);
    set("replace_peers=true");
    assertThat(peers()).isEmpty();
  }

  @Test
  void updateOnlyOnAMissingPeerIsSkipped() throws UapiException {
    set("public_key=" + pubA, "update_only=true", "allowed_ip=10.0.0.1/32");
    assertThat(peers()).isEmpty();
    set("public_key=" + pubA);
    set("public_key=" + pubA, "update_only=true", "allowed_ip=10.0.0.1/32");
    assertThat(get()).contains("allowed_ip=10.0.0.1/32");
  }

  @Test
  void removeDeletesThePeerAndItsAllowedIps() throws UapiException {
    set("public_key=" + pubA, "allowed_ip=10.0.0.1/32", "public_key=" + pubB);
    set("public_key=" + pubA, "remove=true");
    assertThat(peers()).containsExactly(pubB);
    assertThat(get()).noneMatch(l -> l.startsWith("allowed_ip="));
    set("public_key=" + pubA, "remove=true"); // removing a missing peer is no error
  }

  @Test
  void replaceAllowedIpsAndRemovalWithADash() throws UapiException {
    set("public_key=" + pubA, "allowed_ip=10.0.0.1/32", "allowed_ip=10.0.0.2/32");
    set("public_key=" + pubA, "allowed_ip=-10.0.0.1/32");
    assertThat(allowedIps()).containsExactly("allowed_ip=10.0.0.2/32");
    set("public_key=" + pubA, "replace_allowed_ips=true", "allowed_ip=10.9.0.0/16");
    assertThat(allowedIps()).containsExactly("allowed_ip=10.9.0.0/16");
    set("public_key=" + pubA, "replace_allowed_ips=true");
    assertThat(allowedIps()).isEmpty();
  }

  @Test
  void anAllowedIpMovesFromOnePeerToAnother() throws UapiException {
    set("public_key=" + pubA, "allowed_ip=10.0.0.0/24", "public_key=" + pubB);
    set("public_key=" + pubB, "allowed_ip=10.0.0.0/24");
    String text = handler.get();
    String peerB = text.substring(text.indexOf("public_key=" + pubB));
    int nextPeer = peerB.indexOf("public_key=", 1);
    peerB = nextPeer < 0 ? peerB : peerB.substring(0, nextPeer);
    assertThat(peerB).contains("allowed_ip=10.0.0.0/24");
    assertThat(allowedIps()).containsExactly("allowed_ip=10.0.0.0/24");
  }

  @Test
  void aPeerWithTheDevicesOwnPublicKeyIsIgnored() throws UapiException {
    String own = priv.publicKey().toHex();
    set("private_key=" + priv.toHex(), "public_key=" + own, "allowed_ip=10.0.0.1/32");
    assertThat(peers()).isEmpty();
    // and setting a private key whose public key is a peer's drops that peer
    NoisePrivateKey other = NoisePrivateKey.generate(RANDOM);
    set("public_key=" + other.publicKey().toHex());
    set("private_key=" + other.toHex());
    assertThat(peers()).isEmpty();
  }

  @Test
  void listenPortZeroPicksARandomPort() throws UapiException {
    set("listen_port=40000");
    assertThat(get()).contains("listen_port=40000");
    set("listen_port=0");
    assertThat(get()).noneMatch(l -> l.equals("listen_port=40000") || l.equals("listen_port=0"));
  }

  @Test
  void listenPortInUseIsEaddrinuseAndChangesNothing() throws Exception {
    set("listen_port=40001");
    MemoryBind squatter = network.bind(ADDRESS);
    squatter.open(40002);
    try {
      assertThatThrownBy(
              () -> set("private_key=" + priv.toHex(), "listen_port=40002", "public_key=" + pubA))
          .isInstanceOfSatisfying(
              UapiException.class,
              e -> {
                assertThat(e.errno()).isEqualTo(UapiException.EADDRINUSE);
                assertThat(e.getMessage()).contains("40002");
              });
      assertThat(get()).containsExactly("listen_port=40001");
    } finally {
      squatter.close();
    }
  }

  @Test
  void listenPortInUseOnARealSocketIsEaddrinuse() throws Exception {
    Device real =
        new Device(
            new MemoryTun("wgreal0"), new LinuxBind(), Clock.system(), ProtocolTiming.standard());
    real.start();
    try (DatagramSocket squatter = new DatagramSocket(0)) {
      UapiHandler h = new UapiHandler(real);
      String before = h.get();
      int taken = squatter.getLocalPort();
      assertThatThrownBy(() -> h.set(SetRequest.parse(List.of("listen_port=" + taken))))
          .isInstanceOfSatisfying(
              UapiException.class, e -> assertThat(e.errno()).isEqualTo(UapiException.EADDRINUSE));
      assertThat(h.get()).as("still on its old port").isEqualTo(before);
    } finally {
      real.close();
    }
  }

  @Test
  void aRequestWithAnInvalidLineAnywhereChangesNothing() throws UapiException {
    set("listen_port=40003", "public_key=" + pubA, "allowed_ip=10.0.0.1/32");
    String before = handler.get();
    List<List<String>> requests =
        List.of(
            List.of("private_key=" + priv.toHex(), "listen_port=40004", "bogus=1"),
            List.of("replace_peers=true", "public_key=" + pubB, "allowed_ip=10.0.0.0/33"),
            List.of("public_key=" + pubA, "remove=true", "public_key=" + pubB, "endpoint=x:1"),
            List.of("fwmark=7", "public_key=" + pubB, "protocol_version=2"),
            List.of("listen_port=40005", "public_key=" + pubA, "replace_allowed_ips=true", "x"));
    for (List<String> r : requests) {
      assertThatThrownBy(() -> handler.set(SetRequest.parse(r))).isInstanceOf(UapiException.class);
      assertThat(handler.get()).isEqualTo(before);
    }
  }

  private List<String> peers() {
    List<String> out = new ArrayList<>();
    for (String l : get()) {
      if (l.startsWith("public_key=")) {
        out.add(l.substring("public_key=".length()));
      }
    }
    return out;
  }

  private List<String> allowedIps() {
    return get().stream().filter(l -> l.startsWith("allowed_ip=")).toList();
  }
}
