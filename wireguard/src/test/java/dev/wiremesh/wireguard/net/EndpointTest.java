package dev.wiremesh.wireguard.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1.2.3.4:51820             | 1.2.3.4:51820",
        "0.0.0.0:1                 | 0.0.0.0:1",
        "255.255.255.255:65535     | 255.255.255.255:65535",
        "[fd00::1]:51820           | [fd00::1]:51820",
        "[FD00:0:0:0:0:0:0:1]:51820 | [fd00::1]:51820",
        "[::1]:1                   | [::1]:1",
        "[::]:9                    | [::]:9",
        "[2001:db8:0:0:1:0:0:1]:5  | [2001:db8::1:0:0:1]:5",
        "[2001:db8:0:1:1:1:1:1]:5  | [2001:db8:0:1:1:1:1:1]:5",
        "[2001:0:0:1:0:0:0:1]:5    | [2001:0:0:1::1]:5",
        "[fe80::1%1]:51820         | [fe80::1%1]:51820",
        "[::ffff:192.0.2.7]:51820  | 192.0.2.7:51820",
      })
  void parsesAndPrintsInWgFormat(String text, String printed) {
    assertThat(Endpoint.parse(text).toString()).isEqualTo(printed);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                    | the port is missing",
        "1.2.3.4               | the port is missing",
        "1.2.3.4:              | \"\" is not a port",
        "1.2.3.4:0             | \"0\" is not a port",
        "1.2.3.4:65536         | \"65536\" is not a port",
        "1.2.3.4:+80           | \"+80\" is not a port",
        "1.2.3.4:123456        | \"123456\" is not a port",
        "1.2.3:51820           | \"1.2.3\" is not an IPv4 address",
        "01.2.3.4:51820        | \"01.2.3.4\" is not an IPv4 address",
        "256.1.1.1:51820       | \"256.1.1.1\" is not an IPv4 address",
        "example.com:51820     | \"example.com\" is not an IPv4 address (hostnames are not resolved)",
        "fd00::1:51820         | an IPv6 address needs brackets",
        "[fd00::1]             | an IPv6 address in brackets must be followed by :port",
        "[fd00::1]51820        | an IPv6 address in brackets must be followed by :port",
        "[fd00::g]:51820       | \"fd00::g\" is not an IPv6 address",
        "[1.2.3.4]:51820       | \"1.2.3.4\" is not an IPv6 address",
        "[fe80::1%nosuchif0]:5 | zone \"nosuchif0\" is not an interface of this host",
      })
  void refusesWithAMessageNamingTheValueAndWhatIsValid(String text, String why) {
    assertThatThrownBy(() -> Endpoint.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "endpoint \""
                + text
                + "\" is not valid: "
                + why
                + "; expected IPv4:port like 192.0.2.1:51820 or [IPv6]:port like"
                + " [2001:db8::1]:51820, port 1-65535");
  }

  @Test
  void acceptsANamedZone() throws Exception {
    int index = java.net.NetworkInterface.getByName("lo").getIndex();
    // lo has no link-local address, so the JDK scopes by index.
    assertThat(Endpoint.parse("[fe80::1%lo]:51820").toString())
        .isIn("[fe80::1%lo]:51820", "[fe80::1%" + index + "]:51820");
  }

  @Test
  void anIpv4MappedAddressEqualsTheIpv4Address() throws Exception {
    var mapped =
        new InetSocketAddress(
            InetAddress.getByAddress(
                null, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) 192, 0, 2, 7}),
            51820);
    var endpoint = Endpoint.of(mapped);
    assertThat(endpoint.ip()).isInstanceOf(Inet4Address.class);
    assertThat(endpoint).isEqualTo(Endpoint.parse("192.0.2.7:51820"));
    assertThat(endpoint.isIpv6()).isFalse();
  }

  @Test
  void theStickySourceIsKeptApartFromTheAddress() {
    var endpoint = Endpoint.parse("[fd00::1]:51820");
    assertThat(endpoint.stickySource()).isEmpty();
    var sticky = endpoint.withSource(InetAddress.ofLiteral("fd00::2"));
    assertThat(sticky.stickySource()).contains(InetAddress.ofLiteral("fd00::2"));
    assertThat(sticky.toString()).isEqualTo("[fd00::1]:51820");
    assertThat(sticky).isNotEqualTo(endpoint);
    assertThat(sticky.withSource(null)).isEqualTo(endpoint);
    assertThat(sticky.port()).isEqualTo(51820);
    assertThat(sticky.isIpv6()).isTrue();
  }

  @Test
  void refusesAnUnresolvedAddressAndPortZero() {
    assertThatThrownBy(() -> Endpoint.of(InetSocketAddress.createUnresolved("example.com", 1)))
        .hasMessageContaining("not a hostname");
    assertThatThrownBy(() -> Endpoint.of(InetAddress.ofLiteral("1.2.3.4"), 0))
        .hasMessageContaining("port 0");
  }
}
