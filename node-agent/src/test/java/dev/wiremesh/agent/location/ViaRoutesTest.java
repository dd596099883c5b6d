package dev.wiremesh.agent.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.api.agent.RouteConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViaRoutesTest {

  @Test
  void parsesRoutesOfBothFamilies() throws Exception {
    List<ViaRoute> r =
        ViaRoutes.parse(
            List.of(
                new RouteConfig("10.100.0.0/16", "172.29.0.11", "10.100.0.3"),
                new RouteConfig("fd00:100::5/128", "fd00:29::11", null)));
    assertThat(r).hasSize(2);
    assertThat(r.get(0).via().getHostAddress()).isEqualTo("172.29.0.11");
    assertThat(r.get(1).src()).isNull();
  }

  @Test
  void eachMistakeNamesItsField() {
    assertThatThrownBy(
            () -> ViaRoutes.parse(List.of(new RouteConfig("10.1.0.0/33", "1.2.3.4", null))))
        .isInstanceOfSatisfying(
            ViaRoutes.InvalidRoute.class, e -> assertThat(e.field()).isEqualTo("routes[0].to"));
    assertThatThrownBy(
            () ->
                ViaRoutes.parse(
                    List.of(
                        new RouteConfig("10.1.0.0/16", "1.2.3.4", null),
                        new RouteConfig("10.2.0.0/16", "fd00::1", null))))
        .isInstanceOfSatisfying(
            ViaRoutes.InvalidRoute.class,
            e -> {
              assertThat(e.field()).isEqualTo("routes[1].via");
              assertThat(e.getMessage()).contains("same address family");
            });
    assertThatThrownBy(() -> ViaRoutes.parse(List.of(new RouteConfig("10.1.0.0/16", null, null))))
        .isInstanceOfSatisfying(
            ViaRoutes.InvalidRoute.class, e -> assertThat(e.field()).isEqualTo("routes[0].via"));
    assertThatThrownBy(
            () -> ViaRoutes.parse(List.of(new RouteConfig("10.1.0.0/16", "1.2.3.4", "gw.local"))))
        .isInstanceOfSatisfying(
            ViaRoutes.InvalidRoute.class,
            e -> {
              assertThat(e.field()).isEqualTo("routes[0].src");
              assertThat(e.getMessage()).contains("must be an IPv4 or IPv6 address");
            });
  }
}
