package dev.wiremesh.wireguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.device.Device;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.MemoryTun;
import dev.wiremesh.wireguard.uapi.SetRequest;
import dev.wiremesh.wireguard.uapi.UapiException;
import dev.wiremesh.wireguard.uapi.UapiHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LOG_LEVEL's values, and what verbose logging prints over a real handshake: lines in
 * wireguard-go's format, and never a private or preshared key, in base64 or hex.
 */
class VerboseLogTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern LINE =
      Pattern.compile(
          "(DEBUG|ERROR): \\(wglog[ab]\\) \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d .+");

  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Logger root = Logger.getLogger("");
  private Level rootLevel;
  private Handler capture;
  private final List<Device> devices = new ArrayList<>();

  @BeforeEach
  void captureEverything() {
    rootLevel = root.getLevel();
    root.setLevel(Level.ALL);
    capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String name = Thread.currentThread().getName().contains("wgloga") ? "wgloga" : "wglogb";
            lines.add(LogSetup.formatter(name).format(r));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    capture.setLevel(Level.ALL);
    root.addHandler(capture);
  }

  @AfterEach
  void restore() {
    devices.forEach(Device::close);
    root.removeHandler(capture);
    root.setLevel(rootLevel);
  }

  @Test
  void logLevelValuesAreWireguardGos() {
    assertThat(LogSetup.parse(null)).isEqualTo(Level.SEVERE);
    assertThat(LogSetup.parse("")).isEqualTo(Level.SEVERE);
    assertThat(LogSetup.parse("verbose")).isEqualTo(Level.ALL);
    assertThat(LogSetup.parse("debug")).isEqualTo(Level.ALL);
    assertThat(LogSetup.parse("error")).isEqualTo(Level.SEVERE);
    assertThat(LogSetup.parse("silent")).isEqualTo(Level.OFF);
    assertThatThrownBy(() -> LogSetup.parse("loud"))
        .hasMessageContaining("'loud'")
        .hasMessageContaining("verbose, debug, error, silent");
  }

  @Test
  void formatIsWireguardGos() {
    LogRecord fine = new LogRecord(Level.FINE, "peer(AbCd…WxYz) - Sending handshake initiation");
    assertThat(LogSetup.formatter("wg0").format(fine))
        .matches(
            "DEBUG: \\(wg0\\) \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d peer\\(AbCd…WxYz\\) -"
                + " Sending handshake initiation\n");
    LogRecord severe = new LogRecord(Level.WARNING, "UAPI set refused: x");
    assertThat(LogSetup.formatter("wg0").format(severe)).startsWith("ERROR: (wg0) ");
  }

  @Test
  void aVerboseHandshakeLogsItsStepsAndNoKey() throws Exception {
    NoisePrivateKey privA = NoisePrivateKey.generate(RANDOM);
    NoisePrivateKey privB = NoisePrivateKey.generate(RANDOM);
    PresharedKey psk = new PresharedKey(NoisePrivateKey.generate(RANDOM).toBytes());
    MemoryNetwork network = new MemoryNetwork();
    MemoryTun tunA = new MemoryTun("wgloga");
    MemoryTun tunB = new MemoryTun("wglogb");
    UapiHandler a = start(tunA, network, "192.0.2.1");
    UapiHandler b = start(tunB, network, "192.0.2.2");
    int portA = 41001;
    int portB = 41002;
    set(
        a,
        "private_key=" + privA.toHex(),
        "listen_port=" + portA,
        "public_key=" + privB.publicKey().toHex(),
        "preshared_key=" + psk.toHex(),
        "endpoint=192.0.2.2:" + portB,
        "allowed_ip=10.7.0.2/32");
    set(
        b,
        "private_key=" + privB.toHex(),
        "listen_port=" + portB,
        "public_key=" + privA.publicKey().toHex(),
        "preshared_key=" + psk.toHex(),
        "allowed_ip=10.7.0.1/32");
    // A bad request, whose error is logged too.
    assertThatThrownBy(() -> set(a, "private_key=" + privA.toHex() + "0"))
        .isInstanceOf(UapiException.class);

    tunA.inject(udpPacket("10.7.0.1", "10.7.0.2"));
    byte[] received = tunB.takeWritten(Duration.ofSeconds(20));
    assertThat(received).as("the packet crossed the tunnel").isNotNull();
    assertThat(b.get()).doesNotContain("last_handshake_time_sec=0\n");

    List<String> logged = List.copyOf(lines);
    assertThat(logged).isNotEmpty();
    assertThat(String.join("", logged))
        .contains("UAPI: Updating private key")
        .contains("UAPI: Created")
        .contains("UAPI: Adding allowedip")
        .containsIgnoringCase("handshake initiation");
    for (String line : logged) {
      assertThat(line).endsWith("\n").matches(l -> LINE.matcher(l.strip()).matches(), "format");
    }
    List<String> secrets = new ArrayList<>();
    for (var k : List.of(privA, privB)) {
      secrets.add(k.toHex());
      secrets.add(k.toBase64());
    }
    secrets.add(psk.toHex());
    secrets.add(psk.toBase64());
    String all = String.join("", logged);
    for (String secret : secrets) {
      // Any 12-character piece of a key would be a leak; keys have 44 or 64 characters.
      for (int i = 0; i + 12 <= secret.length(); i += 4) {
        assertThat(all).doesNotContain(secret.substring(i, i + 12));
      }
    }
  }

  private UapiHandler start(MemoryTun tun, MemoryNetwork network, String ip) throws IOException {
    Device d =
        new Device(
            tun,
            network.bind(InetAddress.ofLiteral(ip)),
            Clock.system(),
            ProtocolTiming.standard());
    devices.add(d);
    d.start();
    return new UapiHandler(d);
  }

  private static void set(UapiHandler h, String... lines) throws UapiException {
    try {
      h.set(SetRequest.parse(List.of(lines)));
    } catch (UapiException e) {
      // as UapiServer does: the refusal is logged
      Logger.getLogger("dev.wiremesh.wireguard.uapi.UapiServer")
          .warning("UAPI set refused: " + e.getMessage());
      throw e;
    }
  }

  /** A minimal IPv4/UDP packet (checksums zero: nothing on the way checks them). */
  private static byte[] udpPacket(String src, String dst) {
    byte[] payload = "hello through the tunnel".getBytes();
    byte[] p = new byte[20 + 8 + payload.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >> 8);
    p[3] = (byte) p.length;
    p[8] = 64;
    p[9] = 17;
    System.arraycopy(InetAddress.ofLiteral(src).getAddress(), 0, p, 12, 4);
    System.arraycopy(InetAddress.ofLiteral(dst).getAddress(), 0, p, 16, 4);
    p[20] = (byte) 0x9c;
    p[21] = 0x40;
    p[22] = (byte) 0x9c;
    p[23] = 0x41;
    p[24] = (byte) ((8 + payload.length) >> 8);
    p[25] = (byte) (8 + payload.length);
    System.arraycopy(payload, 0, p, 28, payload.length);
    return p;
  }
}
