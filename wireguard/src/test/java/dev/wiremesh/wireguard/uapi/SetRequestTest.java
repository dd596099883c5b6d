package dev.wiremesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.net.Endpoint;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parsing and validation of a whole {@code set=1} request, against wireguard-go's rules. */
class SetRequestTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PRIV = NoisePrivateKey.generate(RANDOM).toHex();
  private static final String PUB = NoisePrivateKey.generate(RANDOM).publicKey().toHex();
  private static final String PSK = NoisePrivateKey.generate(RANDOM).toHex();

  private static SetRequest parse(String... lines) throws UapiException {
    return SetRequest.parse(List.of(lines));
  }

  private static List<String> peer(String... lines) {
    List<String> all = new ArrayList<>();
    all.add("public_key=" + PUB);
    all.addAll(List.of(lines));
    return all;
  }

  @Test
  void fullRequestAsWgSetconfSendsIt() throws UapiException {
    SetRequest r =
        parse(
            "private_key=" + PRIV,
            "listen_port=51820",
            "fwmark=4294967295",
            "replace_peers=true",
            "public_key=" + PUB,
            "preshared_key=" + PSK,
            "protocol_version=1",
            "replace_allowed_ips=true",
            "allowed_ip=10.0.0.0/24",
            "allowed_ip=-fd00::/64",
            "endpoint=[2001:db8::1]:51820",
            "persistent_keepalive_interval=25");
    assertThat(r.privateKeySet()).isTrue();
    assertThat(r.privateKey()).isEqualTo(NoisePrivateKey.fromHex(PRIV));
    assertThat(r.listenPort()).isEqualTo(51820);
    assertThat(r.fwmark()).isEqualTo(-1); // 0xffffffff as a Java int
    assertThat(r.replacePeers()).isTrue();
    assertThat(r.peers()).hasSize(1);
    SetRequest.PeerChange p = r.peers().getFirst();
    assertThat(p.publicKey()).isEqualTo(NoisePublicKey.fromHex(PUB));
    assertThat(p.presharedKey()).isEqualTo(PresharedKey.fromHex(PSK));
    assertThat(p.replaceAllowedIps()).isTrue();
    assertThat(p.allowedIps())
        .containsExactly(
            new SetRequest.AllowedIpChange(IpPrefix.parse("10.0.0.0/24"), false),
            new SetRequest.AllowedIpChange(IpPrefix.parse("fd00::/64"), true));
    assertThat(p.endpoint()).isEqualTo(Endpoint.parse("[2001:db8::1]:51820"));
    assertThat(p.persistentKeepalive()).isEqualTo(25);
    assertThat(p.remove()).isFalse();
    assertThat(p.updateOnly()).isFalse();
  }

  @Test
  void emptyRequestChangesNothing() throws UapiException {
    SetRequest r = parse();
    assertThat(r.privateKeySet()).isFalse();
    assertThat(r.listenPort()).isNull();
    assertThat(r.fwmark()).isNull();
    assertThat(r.replacePeers()).isFalse();
    assertThat(r.peers()).isEmpty();
  }

  @Test
  void privateKeyOfZerosRemovesTheKey() throws UapiException {
    SetRequest r = parse("private_key=" + "0".repeat(64));
    assertThat(r.privateKeySet()).isTrue();
    assertThat(r.privateKey()).isNull();
  }

  @Test
  void uppercaseHexIsAcceptedAsWireguardGoDoes() throws UapiException {
    // wireguard-go decodes keys with hex.DecodeString, which takes either case.
    SetRequest r =
        parse(
            "private_key=" + PRIV.toUpperCase(Locale.ROOT),
            "public_key=" + PUB.toUpperCase(Locale.ROOT),
            "preshared_key=" + PSK.toUpperCase(Locale.ROOT));
    assertThat(r.privateKey()).isEqualTo(NoisePrivateKey.fromHex(PRIV));
    assertThat(r.peers().getFirst().publicKey()).isEqualTo(NoisePublicKey.fromHex(PUB));
    assertThat(r.peers().getFirst().presharedKey()).isEqualTo(PresharedKey.fromHex(PSK));
  }

  @Test
  void peersKeepTheirOrderAndTheirOwnSettings() throws UapiException {
    String pub2 = NoisePrivateKey.generate(RANDOM).publicKey().toHex();
    SetRequest r =
        parse(
            "public_key=" + PUB,
            "remove=true",
            "public_key=" + pub2,
            "update_only=true",
            "allowed_ip=192.0.2.1/32");
    assertThat(r.peers()).hasSize(2);
    assertThat(r.peers().get(0).remove()).isTrue();
    assertThat(r.peers().get(0).allowedIps()).isEmpty();
    assertThat(r.peers().get(1).publicKey()).isEqualTo(NoisePublicKey.fromHex(pub2));
    assertThat(r.peers().get(1).updateOnly()).isTrue();
    assertThat(r.peers().get(1).remove()).isFalse();
  }

  @Test
  void boundaryValuesAreAccepted() throws UapiException {
    assertThat(parse("listen_port=0").listenPort()).isZero();
    assertThat(parse("listen_port=65535").listenPort()).isEqualTo(65535);
    assertThat(parse("fwmark=0").fwmark()).isZero();
    assertThat(parse(peer("persistent_keepalive_interval=0").toArray(String[]::new)))
        .extracting(r -> r.peers().getFirst().persistentKeepalive())
        .isEqualTo(0);
    assertThat(parse(peer("persistent_keepalive_interval=65535").toArray(String[]::new)))
        .extracting(r -> r.peers().getFirst().persistentKeepalive())
        .isEqualTo(65535);
    assertThat(parse(peer("endpoint=192.0.2.1:1").toArray(String[]::new)))
        .extracting(r -> r.peers().getFirst().endpoint())
        .isEqualTo(Endpoint.parse("192.0.2.1:1"));
  }

  static Stream<Arguments> invalidRequests() {
    String zeros = "0".repeat(64);
    return Stream.of(
        // device keys
        bad(List.of("private_key=" + PRIV.substring(2)), "private_key"),
        bad(List.of("private_key=" + PRIV + "00"), "private_key"),
        bad(List.of("private_key=" + PRIV.substring(1) + "g"), "private_key"),
        bad(List.of("private_key="), "private_key"),
        bad(List.of("listen_port=65536"), "listen_port"),
        bad(List.of("listen_port=-1"), "listen_port"),
        bad(List.of("listen_port=+5"), "listen_port"),
        bad(List.of("listen_port="), "listen_port"),
        bad(List.of("listen_port=51820 "), "listen_port"),
        bad(List.of("listen_port=0x10"), "listen_port"),
        bad(List.of("fwmark=4294967296"), "fwmark"),
        bad(List.of("fwmark=-1"), "fwmark"),
        bad(List.of("fwmark=0x1"), "fwmark"),
        bad(List.of("replace_peers=false"), "replace_peers"),
        bad(List.of("replace_peers=TRUE"), "replace_peers"),
        bad(List.of("replace_peers="), "replace_peers"),
        bad(List.of("bogus=1"), "unknown device key 'bogus'"),
        bad(List.of("Private_key=" + PRIV), "unknown device key"),
        // peer keys before any public_key are device keys, which they are not
        bad(List.of("endpoint=192.0.2.1:1"), "must follow a public_key"),
        bad(List.of("allowed_ip=10.0.0.0/8"), "must follow a public_key"),
        bad(List.of("remove=true"), "must follow a public_key"),
        bad(List.of("protocol_version=1"), "must follow a public_key"),
        // public_key
        bad(List.of("public_key=" + PUB.substring(2)), "public_key"),
        bad(List.of("public_key=" + PUB.substring(1) + "z"), "public_key"),
        bad(List.of("public_key="), "public_key"),
        // peer keys
        bad(peer("remove=false"), "remove"),
        bad(peer("remove=1"), "remove"),
        bad(peer("update_only=false"), "update_only"),
        bad(peer("update_only=yes"), "update_only"),
        bad(peer("replace_allowed_ips=false"), "replace_allowed_ips"),
        bad(peer("preshared_key=" + zeros.substring(2)), "preshared_key"),
        bad(peer("preshared_key=xyz"), "preshared_key"),
        bad(peer("endpoint=192.0.2.1"), "endpoint"),
        bad(peer("endpoint=192.0.2.1:0"), "endpoint"),
        bad(peer("endpoint=192.0.2.1:65536"), "endpoint"),
        bad(peer("endpoint=2001:db8::1:51820"), "endpoint"),
        bad(peer("endpoint=example.com:51820"), "endpoint"),
        bad(peer("endpoint="), "endpoint"),
        bad(peer("persistent_keepalive_interval=65536"), "persistent_keepalive_interval"),
        bad(peer("persistent_keepalive_interval=-1"), "persistent_keepalive_interval"),
        bad(peer("persistent_keepalive_interval=x"), "persistent_keepalive_interval"),
        bad(peer("allowed_ip=10.0.0.1"), "allowed_ip"),
        bad(peer("allowed_ip=10.0.0.0/33"), "allowed_ip"),
        bad(peer("allowed_ip=fd00::/129"), "allowed_ip"),
        bad(peer("allowed_ip=-"), "allowed_ip"),
        bad(peer("allowed_ip=--10.0.0.0/8"), "allowed_ip"),
        bad(peer("allowed_ip=10.0.0/8"), "allowed_ip"),
        bad(peer("protocol_version=0"), "protocol_version"),
        bad(peer("protocol_version=2"), "protocol_version"),
        bad(peer("protocol_version="), "protocol_version"),
        // device keys after a public_key belong to no peer
        bad(peer("listen_port=1"), "unknown peer key 'listen_port'"),
        bad(peer("private_key=" + PRIV), "unknown peer key 'private_key'"),
        bad(peer("replace_peers=true"), "unknown peer key"),
        bad(peer("bogus=1"), "unknown peer key 'bogus'"));
  }

  private static Arguments bad(List<String> lines, String messagePart) {
    return Arguments.of(lines, messagePart);
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void invalidValueIsEinvalNamingTheField(List<String> lines, String messagePart) {
    assertThatThrownBy(() -> SetRequest.parse(lines))
        .isInstanceOfSatisfying(
            UapiException.class, e -> assertThat(e.errno()).isEqualTo(UapiException.EINVAL))
        .hasMessageContaining(messagePart);
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void anInvalidLineAnywhereRejectsTheWholeRequest(List<String> lines, String messagePart) {
    List<String> all = new ArrayList<>(List.of("listen_port=1234"));
    all.addAll(lines);
    all.add("public_key=" + NoisePrivateKey.generate(RANDOM).publicKey().toHex());
    all.add("allowed_ip=10.9.0.0/16");
    assertThatThrownBy(() -> SetRequest.parse(all)).isInstanceOf(UapiException.class);
  }

  @Test
  void lineWithoutEqualsIsEproto() {
    for (List<String> lines :
        List.of(List.of("listen_port"), peer("allowed_ip 10.0.0.0/8"), List.of(""))) {
      assertThatThrownBy(() -> SetRequest.parse(lines))
          .isInstanceOfSatisfying(
              UapiException.class, e -> assertThat(e.errno()).isEqualTo(UapiException.EPROTO));
    }
  }

  @Test
  void errorMessagesNeverRepeatAKey() {
    String nearlyPriv = PRIV.substring(0, 62) + "zz";
    String nearlyPsk = PSK.substring(0, 62) + "zz";
    for (List<String> lines :
        List.of(
            List.of("private_key=" + nearlyPriv),
            List.of("private_key=" + PRIV + "0"),
            List.of("private_key" + PRIV),
            peer("preshared_key=" + nearlyPsk),
            peer("preshared_key=" + PSK + "0"),
            peer("preshared_key" + PSK))) {
      assertThatThrownBy(() -> SetRequest.parse(lines))
          .isInstanceOf(UapiException.class)
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .doesNotContain(PRIV.substring(0, 16))
                      .doesNotContain(PSK.substring(0, 16)));
    }
  }
}
