package dev.wiremesh.wireguard.allowedips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {
  private final AllowedIps<String> table = new AllowedIps<>();

  private static byte[] ip(String literal) throws Exception {
    return InetAddress.getByName(literal).getAddress(); // literals only: no name lookup
  }

  private void insert(String prefix, String peer) {
    table.insert(IpPrefix.parse(prefix), peer);
  }

  private String lookup(String address) throws Exception {
    return table.lookup(ip(address));
  }

  /** A table in the spirit of the kernel's allowedips selftest. */
  @Test
  void longestPrefixWins() throws Exception {
    insert("192.168.4.0/24", "a");
    insert("192.168.4.4/32", "b");
    insert("192.168.0.0/16", "c");
    insert("192.95.5.64/27", "d");
    insert("192.95.5.65/32", "c");
    insert("0.0.0.0/0", "e");
    insert("2607:5300:60:6b0::c05f:543/128", "d");
    insert("2607:5300:60:6b0::/64", "c");
    insert("2607:5300::/32", "b");
    insert("::/0", "f");
    insert("10.0.0.0/8", "g");
    insert("10.1.0.0/16", "h");
    insert("10.1.2.0/23", "i");

    assertThat(lookup("192.168.4.20")).isEqualTo("a");
    assertThat(lookup("192.168.4.0")).isEqualTo("a");
    assertThat(lookup("192.168.4.4")).isEqualTo("b");
    assertThat(lookup("192.168.200.182")).isEqualTo("c");
    assertThat(lookup("192.95.5.68")).isEqualTo("d");
    assertThat(lookup("192.95.5.65")).isEqualTo("c");
    assertThat(lookup("192.95.5.96")).isEqualTo("e");
    assertThat(lookup("8.8.8.8")).isEqualTo("e");
    assertThat(lookup("2607:5300:60:6b0::c05f:543")).isEqualTo("d");
    assertThat(lookup("2607:5300:60:6b0::c02e:1ee")).isEqualTo("c");
    assertThat(lookup("2607:5300:60:6b1::1")).isEqualTo("b");
    assertThat(lookup("2001:db8::1")).isEqualTo("f");
    assertThat(lookup("10.1.3.255")).isEqualTo("i");
    assertThat(lookup("10.1.4.0")).isEqualTo("h");
    assertThat(lookup("10.2.0.0")).isEqualTo("g");
  }

  @Test
  void anEmptyTableRoutesNothing() throws Exception {
    assertThat(lookup("10.0.0.1")).isNull();
    assertThat(lookup("::1")).isNull();
    insert("10.0.0.0/8", "a");
    assertThat(lookup("11.0.0.1")).isNull();
    assertThat(lookup("::a00:1")).as("families are separate").isNull();
  }

  @Test
  void hostBitsAreMasked() throws Exception {
    insert("10.1.2.3/8", "a");
    insert("fd00::1234/64", "b");
    assertThat(lookup("10.200.0.1")).isEqualTo("a");
    assertThat(lookup("fd00::9")).isEqualTo("b");
    assertThat(table.entriesForPeer("a")).containsExactly(IpPrefix.parse("10.0.0.0/8"));
    assertThat(table.entriesForPeer("b")).containsExactly(IpPrefix.parse("fd00::/64"));
  }

  @Test
  void insertingAHeldPrefixMovesItToTheNewPeer() throws Exception {
    insert("10.0.0.0/24", "a");
    insert("10.0.0.0/24", "b");
    assertThat(lookup("10.0.0.7")).isEqualTo("b");
    assertThat(table.entriesForPeer("a")).isEmpty();
    assertThat(table.entriesForPeer("b")).containsExactly(IpPrefix.parse("10.0.0.0/24"));
  }

  @Test
  void removeTakesAPrefixOnlyFromItsHolder() throws Exception {
    insert("10.0.0.0/8", "a");
    insert("10.0.0.0/16", "b");
    assertThat(table.remove(IpPrefix.parse("10.0.0.0/16"), "a")).isFalse();
    assertThat(lookup("10.0.1.1")).isEqualTo("b");
    assertThat(table.remove(IpPrefix.parse("10.0.9.9/16"), "b")).as("masked too").isTrue();
    assertThat(lookup("10.0.1.1")).isEqualTo("a");
    assertThat(table.remove(IpPrefix.parse("10.0.0.0/16"), "b")).isFalse();
    assertThat(table.remove(IpPrefix.parse("10.0.0.0/9"), "a")).as("not held").isFalse();
  }

  @Test
  void removingAnUnheldPrefixLeavesGlueNodesAlone() throws Exception {
    insert("10.0.0.0/24", "a");
    insert("10.0.1.0/24", "b"); // joined under a 10.0.0.0/23 node that holds no peer
    assertThat(table.remove(IpPrefix.parse("10.0.0.0/23"), "a")).isFalse();
    assertThatThrownBy(() -> table.remove(IpPrefix.parse("10.0.0.0/23"), null))
        .isInstanceOf(NullPointerException.class);
    assertThat(lookup("10.0.0.1")).isEqualTo("a");
    assertThat(lookup("10.0.1.1")).isEqualTo("b");
  }

  @Test
  void removeByPeerLeavesOtherPeersAlone() throws Exception {
    insert("10.0.0.0/8", "a");
    insert("10.1.0.0/16", "b");
    insert("10.1.1.0/24", "a");
    insert("fd00::/8", "a");
    insert("fd00:1::/32", "b");
    table.removeByPeer("a");
    assertThat(lookup("10.1.1.1")).isEqualTo("b");
    assertThat(lookup("10.2.0.0")).isNull();
    assertThat(lookup("fd00:1::1")).isEqualTo("b");
    assertThat(lookup("fd00:2::1")).isNull();
    assertThat(table.entriesForPeer("a")).isEmpty();
    assertThat(table.entriesForPeer("b"))
        .containsExactly(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("fd00:1::/32"));
  }

  @Test
  void entriesComeInAStableAddressOrder() {
    for (String p :
        new String[] {
          "fd00::/64",
          "10.0.0.0/8",
          "192.168.0.0/16",
          "10.0.0.0/24",
          "0.0.0.0/0",
          "::/0",
          "10.128.0.0/9"
        }) {
      insert(p, "a");
    }
    insert("172.16.0.0/12", "b");
    assertThat(table.entriesForPeer("a"))
        .extracting(IpPrefix::toString)
        .containsExactly(
            "0.0.0.0/0",
            "10.0.0.0/8",
            "10.0.0.0/24",
            "10.128.0.0/9",
            "192.168.0.0/16",
            "::/0",
            "fd00::/64");
  }

  @Test
  void hostRoutesAndDefaultRoutesCoexist() throws Exception {
    insert("0.0.0.0/0", "default");
    insert("255.255.255.255/32", "top");
    insert("0.0.0.0/32", "bottom");
    assertThat(lookup("255.255.255.255")).isEqualTo("top");
    assertThat(lookup("0.0.0.0")).isEqualTo("bottom");
    assertThat(lookup("255.255.255.254")).isEqualTo("default");
    insert("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "top6");
    insert("::/128", "bottom6");
    assertThat(lookup("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isEqualTo("top6");
    assertThat(lookup("::")).isEqualTo("bottom6");
    assertThat(lookup("::1")).isNull();
  }

  @Test
  void looksUpAddressesInsidePacketHeaders() throws Exception {
    insert("10.0.0.0/8", "ten");
    insert("192.0.2.0/24", "doc");
    insert("fd00::/16", "ula");
    insert("2001:db8::/32", "doc6");

    byte[] v4 = new byte[7 + 20];
    v4[7] = 0x45;
    System.arraycopy(ip("192.0.2.9"), 0, v4, 7 + 12, 4); // source
    System.arraycopy(ip("10.9.8.7"), 0, v4, 7 + 16, 4); // destination
    assertThat(table.lookupDestination(v4, 7)).isEqualTo("ten");
    assertThat(table.lookupSource(v4, 7)).isEqualTo("doc");

    byte[] v6 = new byte[3 + 40];
    v6[3] = 0x60;
    System.arraycopy(ip("2001:db8::5"), 0, v6, 3 + 8, 16);
    System.arraycopy(ip("fd00::77"), 0, v6, 3 + 24, 16);
    assertThat(table.lookupDestination(v6, 3)).isEqualTo("ula");
    assertThat(table.lookupSource(v6, 3)).isEqualTo("doc6");

    for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
      ByteBuffer b4 = ByteBuffer.wrap(v4).order(order);
      assertThat(table.lookupDestination(b4, 7)).isEqualTo("ten");
      assertThat(table.lookupSource(b4, 7)).isEqualTo("doc");
      ByteBuffer b6 = ByteBuffer.allocateDirect(v6.length).order(order).put(v6).flip();
      assertThat(table.lookupDestination(b6, 3)).isEqualTo("ula");
      assertThat(table.lookupSource(b6, 3)).isEqualTo("doc6");
    }
  }

  @Test
  void truncatedOrForeignHeadersRouteNowhere() {
    insert("0.0.0.0/0", "a");
    insert("::/0", "a");
    assertThat(table.lookupDestination(new byte[] {0x45, 0, 0}, 0)).isNull();
    assertThat(table.lookupDestination(new byte[39], 0)).isNull();
    byte[] v6Short = new byte[39];
    v6Short[0] = 0x60;
    assertThat(table.lookupDestination(v6Short, 0)).isNull();
    byte[] other = new byte[60];
    other[0] = 0x50;
    assertThat(table.lookupDestination(other, 0)).isNull();
    assertThat(table.lookupDestination(new byte[20], 20)).isNull();
    assertThat(table.lookupDestination(ByteBuffer.allocate(10), 0)).isNull();
  }
}
