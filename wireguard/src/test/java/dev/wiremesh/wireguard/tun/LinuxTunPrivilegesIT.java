package dev.wiremesh.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one-line errors a user without the privileges meets, from a child JVM started with fewer
 * privileges through setpriv(1): as nobody (no access to /dev/net/tun) and as root without
 * CAP_NET_ADMIN (the device opens, TUNSETIFF is refused); and in a mount namespace without the
 * device.
 */
class LinuxTunPrivilegesIT {

  private static String probe(List<String> setpriv) throws Exception {
    var command = new ArrayList<>(setpriv);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(location(LinuxTun.class) + File.pathSeparator + location(TunProbe.class));
    command.add(TunProbe.class.getName());
    command.add("wmprobe0");
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  private static String location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  @Test
  void aSystemWithoutTheCloneDeviceIsNamed() throws Exception {
    // A private mount namespace with an empty /dev/net, as in a container not given the device.
    var hideDevice =
        List.of(
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            "mount -t tmpfs none /dev/net && exec \"$0\" \"$@\"");
    assertThat(probe(hideDevice))
        .isEqualTo(
            "cannot open /dev/net/tun: ENOENT (this system has no TUN device: load the tun module,"
                + " or give the container /dev/net/tun)");
  }

  @Test
  void notRootCannotOpenTheCloneDevice() throws Exception {
    assertThat(probe(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")))
        .isEqualTo("cannot open /dev/net/tun: EACCES (needs root or CAP_NET_ADMIN)");
  }

  @Test
  void rootWithoutCapNetAdminCannotCreateTheInterface() throws Exception {
    assertThat(
            probe(List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin", "--")))
        .isEqualTo("cannot create TUN interface \"wmprobe0\": EPERM (needs root or CAP_NET_ADMIN)");
  }
}
