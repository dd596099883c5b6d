package dev.wiremesh.planner.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WgQuickConfigTest {

  static final MeshSettings MESH =
      new MeshSettings("wm0", 51820, 0, 25, true, List.of("10.44.0.0/16", "fd00:44::/64"));

  @Test
  void rendersAReadyFileWithAMarkedPrivateKeyAndOnePeerPerGateway() {
    var g1 =
        new NodeMember(
            "gw-b",
            "KB=",
            "[2001:db8::2]:51820",
            List.of("10.44.0.2"),
            List.of("10.244.2.0/24"),
            true);
    var g0 =
        new NodeMember(
            "gw-a",
            "KA=",
            "198.51.100.1:51820",
            List.of("10.44.0.1", "fd00:44::1"),
            List.of("10.244.1.0/24"),
            true);
    var worker =
        new NodeMember(
            "worker",
            "KW=",
            "198.51.100.3:51820",
            List.of("10.44.0.3"),
            List.of("10.244.3.0/24"),
            false);
    var laptop =
        new ExternalMember(
            "laptop",
            "KL=",
            null,
            List.of("10.44.1.1", "fd00:44::1:1"),
            List.of(),
            null,
            "PSK-VALUE");

    String conf =
        WgQuickConfig.render(
            "prod", MESH, laptop, List.of(worker, g1, g0), "wiremesh/laptop-psk[psk]");

    assertThat(conf)
        .isEqualTo(
            """
            # wg-quick configuration for external peer "laptop" of mesh "prod", written by the WireMesh operator.
            # Save as e.g. /etc/wireguard/wm0.conf, fill in the marked values, then: wg-quick up wm0

            [Interface]
            # >>> Put this peer's own private key here: the one whose public key is KL=.
            # >>> The operator never sees private keys, so it cannot fill this in.
            PrivateKey = <REPLACE WITH THIS PEER'S PRIVATE KEY>
            Address = 10.44.1.1/32, fd00:44::1:1/128

            [Peer]
            # gateway node gw-a
            PublicKey = KA=
            # >>> The preshared key is in Secret wiremesh/laptop-psk[psk].
            PresharedKey = <REPLACE WITH THE PRESHARED KEY>
            Endpoint = 198.51.100.1:51820
            AllowedIPs = 10.44.0.0/16, 10.244.1.0/24, 10.244.2.0/24, 10.244.3.0/24, fd00:44::/64
            PersistentKeepalive = 25

            [Peer]
            # gateway node gw-b
            PublicKey = KB=
            # >>> The preshared key is in Secret wiremesh/laptop-psk[psk].
            PresharedKey = <REPLACE WITH THE PRESHARED KEY>
            Endpoint = [2001:db8::2]:51820
            AllowedIPs = 10.44.0.2/32
            PersistentKeepalive = 25
            """);
    assertThat(conf).doesNotContain("PSK-VALUE");
  }
}
