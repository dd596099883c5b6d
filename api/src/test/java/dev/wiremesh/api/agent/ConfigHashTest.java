package dev.wiremesh.api.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ConfigHashTest {
  static final PeerConfig A =
      new PeerConfig(
          "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
          null,
          "192.0.2.1:51820",
          List.of("10.100.0.1/32", "fd00:100::1/128"),
          25);
  static final PeerConfig B =
      new PeerConfig(
          "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=",
          "9Nq+Ylbm2cyIRZ6ffGWTe/bDhDmn0a6y5LCT8SpwtXc=",
          null,
          List.of("10.100.0.2/32"),
          0);
  static final DeviceConfig BASE =
      new DeviceConfig(null, "wm0", List.of("10.100.0.3/16"), 51820, 1420, List.of(A, B));

  @Test
  void peerAndListOrderDoNotMatter() {
    PeerConfig aShuffled =
        new PeerConfig(
            A.publicKey(), null, A.endpoint(), List.of("fd00:100::1/128", "10.100.0.1/32"), 25);
    DeviceConfig reordered =
        new DeviceConfig(null, "wm0", List.of("10.100.0.3/16"), 51820, 1420, List.of(B, aShuffled));
    assertThat(ConfigHash.of(reordered)).isEqualTo(ConfigHash.of(BASE));
    assertThat(ConfigHash.of(BASE)).startsWith("sha256:").hasSize(7 + 64);
  }

  @Test
  void everyFieldChangesTheHash() {
    List<UnaryOperator<DeviceConfig>> changes = new ArrayList<>();
    changes.add(
        c -> new DeviceConfig(null, "wm1", c.addresses(), c.listenPort(), c.mtu(), c.peers()));
    changes.add(
        c ->
            new DeviceConfig(
                null,
                c.interfaceName(),
                List.of("10.100.0.4/16"),
                c.listenPort(),
                c.mtu(),
                c.peers()));
    changes.add(
        c -> new DeviceConfig(null, c.interfaceName(), c.addresses(), 51821, c.mtu(), c.peers()));
    changes.add(
        c ->
            new DeviceConfig(
                null, c.interfaceName(), c.addresses(), c.listenPort(), 1380, c.peers()));
    changes.add(
        c ->
            new DeviceConfig(
                null, c.interfaceName(), c.addresses(), c.listenPort(), c.mtu(), List.of(A)));
    changes.add(
        withA(
            new PeerConfig(
                A.publicKey(),
                "9Nq+Ylbm2cyIRZ6ffGWTe/bDhDmn0a6y5LCT8SpwtXc=",
                A.endpoint(),
                A.allowedIPs(),
                25)));
    changes.add(withA(new PeerConfig(A.publicKey(), null, "192.0.2.9:51820", A.allowedIPs(), 25)));
    changes.add(withA(new PeerConfig(A.publicKey(), null, null, A.allowedIPs(), 25)));
    changes.add(
        withA(new PeerConfig(A.publicKey(), null, A.endpoint(), List.of("10.100.0.1/32"), 25)));
    changes.add(withA(new PeerConfig(A.publicKey(), null, A.endpoint(), A.allowedIPs(), 26)));
    changes.add(
        withA(
            new PeerConfig(
                "5rHg0b1VJ6zjdSHmIEDgpPBT+DRuLtK8E+4a3cPEHV0=",
                null,
                A.endpoint(),
                A.allowedIPs(),
                25)));
    changes.add(c -> c.withLocation(true, List.of()));
    changes.add(c -> c.withLocation(false, List.of(ROUTE)));
    changes.add(
        c -> c.withLocation(false, List.of(new RouteConfig("10.100.0.0/16", "192.0.2.7", null))));
    changes.add(
        c ->
            c.withLocation(
                false, List.of(new RouteConfig("10.100.0.0/16", "192.0.2.1", "10.100.0.4"))));
    String base = ConfigHash.of(BASE);
    List<String> seen = new ArrayList<>();
    for (var change : changes) {
      String h = ConfigHash.of(change.apply(BASE));
      assertThat(h).isNotEqualTo(base);
      seen.add(h);
    }
    assertThat(seen).doesNotHaveDuplicates();
  }

  static final RouteConfig ROUTE = new RouteConfig("10.100.0.0/16", "192.0.2.1", "10.100.0.3");

  /** Configs of full mesh nodes (no forwarding, no routes) hash exactly as before those fields. */
  @Test
  void aFullMeshConfigHashesAsBeforeForwardingAndRoutes() {
    assertThat(ConfigHash.of(BASE))
        .isEqualTo(ConfigHash.of(BASE.withLocation(false, List.of())))
        .isEqualTo("sha256:" + sha256(canonicalTextOfBase()));
  }

  @Test
  void forwardingAndRoutesSurviveJsonAndADelta() throws Exception {
    ObjectMapper json = new ObjectMapper();
    DeviceConfig c = BASE.withLocation(true, List.of(ROUTE)).withHash();
    String text = json.writeValueAsString(c);
    assertThat(text).contains("\"forwarding\":true").contains("\"via\":\"192.0.2.1\"");
    assertThat(json.writeValueAsString(BASE.withHash()))
        .doesNotContain("forwarding")
        .doesNotContain("routes");
    DeviceConfig back = json.readValue(text, DeviceConfig.class);
    assertThat(back).isEqualTo(c);
    assertThat(back.hashMatches()).isTrue();
    DeviceConfig afterDelta = c.apply(new ConfigDelta(c.hash(), c.hash(), List.of(), List.of()));
    assertThat(afterDelta.forwarding()).isTrue();
    assertThat(afterDelta.routes()).containsExactly(ROUTE);
  }

  private static String canonicalTextOfBase() {
    return "wiremesh-device-config-v1\ninterface=wm0\nlisten_port=51820\nmtu=1420\n"
        + "address=10.100.0.3/16\n"
        + "public_key=HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\n"
        + "preshared_key=9Nq+Ylbm2cyIRZ6ffGWTe/bDhDmn0a6y5LCT8SpwtXc=\nendpoint=\n"
        + "persistent_keepalive=0\nallowed_ip=10.100.0.2/32\n"
        + "public_key=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\npreshared_key=\n"
        + "endpoint=192.0.2.1:51820\npersistent_keepalive=25\n"
        + "allowed_ip=10.100.0.1/32\nallowed_ip=fd00:100::1/128\n";
  }

  private static String sha256(String s) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static UnaryOperator<DeviceConfig> withA(PeerConfig a) {
    return c ->
        new DeviceConfig(
            null, c.interfaceName(), c.addresses(), c.listenPort(), c.mtu(), List.of(a, B));
  }

  @Test
  void aDeltaOnTheBaseGivesTheSameConfigAsAFullPush() {
    PeerConfig c =
        new PeerConfig(
            "5rHg0b1VJ6zjdSHmIEDgpPBT+DRuLtK8E+4a3cPEHV0=",
            null,
            null,
            List.of("10.100.0.9/32"),
            0);
    DeviceConfig full =
        new DeviceConfig(null, "wm0", List.of("10.100.0.3/16"), 51820, 1420, List.of(A, c))
            .withHash();
    DeviceConfig base = BASE.withHash();
    ConfigDelta delta =
        new ConfigDelta(base.hash(), full.hash(), List.of(c), List.of(B.publicKey()));
    DeviceConfig applied = base.apply(delta);
    assertThat(applied.hashMatches()).isTrue();
    assertThat(ConfigHash.of(applied)).isEqualTo(full.hash());
  }

  @Test
  void jsonRoundTripKeepsTheHashAndToStringHidesThePresharedKey() throws Exception {
    ObjectMapper json = new ObjectMapper();
    DeviceConfig c = BASE.withHash();
    DeviceConfig back = json.readValue(json.writeValueAsString(c), DeviceConfig.class);
    assertThat(back).isEqualTo(c);
    assertThat(back.hashMatches()).isTrue();
    assertThat(c.toString()).doesNotContain(B.presharedKey()).contains("redacted");
    List<PeerConfig> reversed = new ArrayList<>(c.peers());
    Collections.reverse(reversed);
    assertThat(
            new DeviceConfig(c.hash(), "wm0", c.addresses(), 51820, 1420, reversed).hashMatches())
        .isTrue();
  }

  static final EncryptionPolicy REQUIRED =
      new EncryptionPolicy("Required", "wiremesh-mesh", List.of("192.0.2.10:6443"));

  @Test
  void theEncryptionPolicyIsPartOfTheHashAndTravelsInJson() throws Exception {
    String none = ConfigHash.of(BASE);
    String required = ConfigHash.of(BASE.withEncryption(REQUIRED));
    String preferred =
        ConfigHash.of(
            BASE.withEncryption(
                new EncryptionPolicy("Preferred", "wiremesh-mesh", REQUIRED.apiServers())));
    String otherTable =
        ConfigHash.of(
            BASE.withEncryption(
                new EncryptionPolicy("Required", "wiremesh-other", REQUIRED.apiServers())));
    String otherApiServer =
        ConfigHash.of(
            BASE.withEncryption(
                new EncryptionPolicy("Required", "wiremesh-mesh", List.of("192.0.2.10:443"))));
    assertThat(List.of(none, required, preferred, otherTable, otherApiServer))
        .doesNotHaveDuplicates();
    ObjectMapper json = new ObjectMapper();
    DeviceConfig c = BASE.withEncryption(REQUIRED).withHash();
    String text = json.writeValueAsString(c);
    assertThat(text).contains("\"encryption\":{\"mode\":\"Required\"");
    DeviceConfig back = json.readValue(text, DeviceConfig.class);
    assertThat(back).isEqualTo(c);
    assertThat(back.hashMatches()).isTrue();
    assertThat(json.writeValueAsString(BASE.withHash())).doesNotContain("encryption");
  }

  /**
   * An agent that predates the policy hashes the text without the encryption lines: a config
   * without a policy hashes exactly as before (so old agents keep taking it), and one with a policy
   * cannot match what such an agent computes (so it refuses it rather than ignore the policy).
   */
  @Test
  void withoutAPolicyTheTextIsTheOneOlderAgentsHash() throws Exception {
    String before =
        String.join(
            "\n",
            "wiremesh-device-config-v1",
            "interface=wm0",
            "listen_port=51820",
            "mtu=1420",
            "address=10.100.0.3/16",
            "public_key=" + B.publicKey(),
            "preshared_key=" + B.presharedKey(),
            "endpoint=",
            "persistent_keepalive=0",
            "allowed_ip=10.100.0.2/32",
            "public_key=" + A.publicKey(),
            "preshared_key=",
            "endpoint=192.0.2.1:51820",
            "persistent_keepalive=25",
            "allowed_ip=10.100.0.1/32",
            "allowed_ip=fd00:100::1/128",
            "");
    String expected =
        "sha256:"
            + java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(before.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(ConfigHash.of(BASE)).isEqualTo(expected);
    assertThat(ConfigHash.of(BASE.withEncryption(REQUIRED))).isNotEqualTo(expected);
  }

  @Test
  void aDeltaKeepsThePolicyOfItsBase() {
    DeviceConfig base = BASE.withEncryption(REQUIRED).withHash();
    DeviceConfig next =
        new DeviceConfig(null, "wm0", base.addresses(), 51820, 1420, List.of(A))
            .withEncryption(base.encryption())
            .withHash();
    DeviceConfig applied =
        base.apply(new ConfigDelta(base.hash(), next.hash(), List.of(), List.of(B.publicKey())));
    assertThat(applied.encryption()).isEqualTo(REQUIRED);
    assertThat(applied.hashMatches()).isTrue();
  }
}
