package dev.wiremesh.wireguard.allowedips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.0.0.0/8",
    "192.0.2.1, 192.0.2.1/32",
    "0.0.0.0/0, 0.0.0.0/0",
    "fd00::/64, fd00::/64",
    "FD00:0:0:0:0:0:0:0/64, fd00::/64",
    "::/0, ::/0",
    "::1, ::1/128",
    "2001:db8:0:0:1:0:0:1/128, 2001:db8::1:0:0:1/128",
    "2001:0:0:1:0:0:0:1/128, 2001:0:0:1::1/128",
    "1:0:1:0:1:0:1:0/128, 1:0:1:0:1:0:1:0/128",
    "::ffff:192.0.2.1/128, ::ffff:c000:201/128",
    "2001:db8::/32, 2001:db8::/32",
    "10.1.2.3/8, 10.1.2.3/8",
  })
  void parsesAndPrintsCanonically(String text, String canonical) {
    assertThat(IpPrefix.parse(text).toString()).isEqualTo(canonical);
    assertThat(IpPrefix.parse(canonical)).isEqualTo(IpPrefix.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1:2:3:4",
        "2001:db8:85a3::8a2e:370:7334",
        "1::",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "64:ff9b::192.0.2.33"
      })
  void bytesAgreeWithTheJdk(String literal) throws Exception {
    IpPrefix p = IpPrefix.parse(literal);
    byte[] jdk = InetAddress.getByName(literal).getAddress();
    if (jdk.length == 4 && literal.contains(":")) {
      return; // the JDK folds IPv4-mapped literals to IPv4
    }
    assertThat(p.address()).isEqualTo(jdk);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0",
        "10.0.0.256",
        "10.0.0.01",
        "10.0.0.0.0",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1::2::3",
        "1:2:3:4:5:6:7:8::",
        ":1:2:3:4:5:6:7",
        "12345::",
        "fe80::1%eth0",
        "example.com",
        "1.2.3.4::",
        "g::1"
      })
  void refusesWhatIsNoAddressNamingIt(String text) {
    assertThatThrownBy(() -> IpPrefix.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("10.0.0.0/8");
  }

  @ParameterizedTest
  @CsvSource({"10.0.0.0/33, 0-32", "fd00::/129, 0-128", "10.0.0.0/-1, 0-32", "10.0.0.0/, 0-32"})
  void refusesABadLengthSayingWhatIsValid(String text, String valid) {
    assertThatThrownBy(() -> IpPrefix.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text)
        .hasMessageContaining(valid);
  }

  @Test
  void maskedClearsHostBits() {
    assertThat(IpPrefix.parse("10.1.2.3/8").masked()).hasToString("10.0.0.0/8");
    assertThat(IpPrefix.parse("10.1.2.3/13").masked()).hasToString("10.0.0.0/13");
    assertThat(IpPrefix.parse("10.15.2.3/13").masked()).hasToString("10.8.0.0/13");
    assertThat(IpPrefix.parse("2001:db8:ffff::1/33").masked()).hasToString("2001:db8:8000::/33");
    assertThat(IpPrefix.parse("1.2.3.4/0").masked()).hasToString("0.0.0.0/0");
  }

  @Test
  void isImmutable() {
    byte[] bytes = {10, 0, 0, 0};
    IpPrefix p = new IpPrefix(bytes, 8);
    bytes[0] = 11;
    p.address()[0] = 12;
    assertThat(p).hasToString("10.0.0.0/8");
  }

  @Test
  void containsChecksFamilyAndBits() {
    IpPrefix p = IpPrefix.parse("192.168.0.0/16");
    assertThat(p.contains(new byte[] {(byte) 192, (byte) 168, 7, 9})).isTrue();
    assertThat(p.contains(new byte[] {(byte) 192, (byte) 169, 7, 9})).isFalse();
    assertThat(p.contains(new byte[16])).isFalse();
  }
}
