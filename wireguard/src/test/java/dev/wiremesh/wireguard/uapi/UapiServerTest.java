package dev.wiremesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.device.Device;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.MemoryTun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The UAPI socket: its file modes, ownership of the path, and the request framing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UapiServerTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path temp;
  private Path dir;
  private Device device;
  private UapiServer server;

  @BeforeEach
  void start() throws IOException {
    dir = temp.resolve("run/wireguard");
    device =
        new Device(
            new MemoryTun("wgsrv0"),
            new MemoryNetwork().bind(InetAddress.ofLiteral("192.0.2.20")),
            Clock.system(),
            ProtocolTiming.standard());
    device.start();
    server = UapiServer.start(dir, "wgsrv0", new UapiHandler(device));
  }

  @AfterEach
  void stop() {
    server.close();
    device.close();
  }

  @Test
  void socketIsMode0600InAFolderOfMode0755() throws IOException {
    assertThat(server.socket()).isEqualTo(dir.resolve("wgsrv0.sock"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socket())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void closeRemovesTheSocket() {
    server.close();
    assertThat(server.socket()).doesNotExist();
  }

  @Test
  void aStaleSocketFileIsReplaced() throws IOException {
    Path stale = dir.resolve("wgstale.sock");
    // A socket file nobody listens on any more, as a killed daemon leaves it.
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(stale));
    }
    assertThat(stale).exists();
    try (UapiServer second = UapiServer.start(dir, "wgstale", new UapiHandler(device))) {
      assertThat(request(second.socket(), "get=1\n\n")).endsWith("errno=0\n\n");
    }
  }

  @Test
  void aLiveSocketIsRefusedWithOneLine() {
    assertThatThrownBy(() -> UapiServer.start(dir, "wgsrv0", new UapiHandler(device)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(server.socket().toString())
        .hasMessageContaining("in use")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    // and the live one still answers
    assertThat(request(server.socket(), "get=1\n\n")).endsWith("errno=0\n\n");
  }

  @Test
  void severalRequestsOnOneConnection() throws IOException {
    String pub = NoisePrivateKey.generate(RANDOM).publicKey().toHex();
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
      OutputStream out = Channels.newOutputStream(ch);
      InputStream in = Channels.newInputStream(ch);
      out.write(("set=1\npublic_key=" + pub + "\nallowed_ip=10.0.0.1/32\n\n").getBytes());
      assertThat(readReply(in)).isEqualTo("errno=0\n\n");
      out.write("get=1\n\n".getBytes());
      assertThat(readReply(in)).contains("public_key=" + pub).endsWith("errno=0\n\n");
      out.write("set=1\nlisten_port=70000\n\n".getBytes());
      assertThat(readReply(in)).isEqualTo("errno=-22\n\n");
      out.write("set=1\nlisten_port\n\n".getBytes());
      assertThat(readReply(in)).isEqualTo("errno=-71\n\n");
      // after errors the connection still serves
      out.write("get=1\n\n".getBytes());
      assertThat(readReply(in)).contains("allowed_ip=10.0.0.1/32").endsWith("errno=0\n\n");
    }
  }

  @Test
  void crlfLineEndsAreAccepted() {
    assertThat(request(server.socket(), "get=1\r\n\r\n")).endsWith("errno=0\n\n");
  }

  @Test
  void anUnknownOperationIsEinvalAndEndsTheConnection() throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
      Channels.newOutputStream(ch).write("frob=1\n\nget=1\n\n".getBytes());
      assertThat(new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("errno=-22\n\n");
    }
  }

  @Test
  void getWithTrailingLinesIsEinval() {
    assertThat(request(server.socket(), "get=1\nfoo=bar\n\n")).isEqualTo("errno=-22\n\n");
  }

  @Test
  void anOversizedLineIsRefusedAndTheConnectionClosed() throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
      String huge = "set=1\nallowed_ip=" + "1".repeat(UapiServer.MAX_LINE_BYTES) + "\n\n";
      Channels.newOutputStream(ch).write(huge.getBytes());
      ch.shutdownOutput();
      assertThat(new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("errno=-5\n\n");
    }
    assertThat(request(server.socket(), "get=1\n\n")).endsWith("errno=0\n\n");
  }

  @Test
  void anOversizedRequestIsRefusedAndNothingApplied() throws Exception {
    String before = new UapiHandler(device).get();
    int limit = 1 << 20;
    try (UapiServer small = UapiServer.start(dir, "wgsmall", new UapiHandler(device), limit);
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(small.socket()))) {
      OutputStream out = Channels.newOutputStream(ch);
      String pub = NoisePrivateKey.generate(RANDOM).publicKey().toHex();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(("set=1\npublic_key=" + pub + "\n").getBytes());
                  byte[] chunk = "allowed_ip=10.0.0.0/8\n".repeat(4096).getBytes();
                  for (long sent = 0; sent <= limit; sent += chunk.length) {
                    out.write(chunk);
                  }
                  out.write('\n');
                  ch.shutdownOutput();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      assertThat(new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("errno=-5\n\n");
      writer.get(30, TimeUnit.SECONDS);
    }
    assertThat(new UapiHandler(device).get()).isEqualTo(before);
  }

  @Test
  void aLargeRequestWithinTheLimitIsApplied() {
    StringBuilder r = new StringBuilder("set=1\n");
    for (int i = 0; i < 2000; i++) {
      r.append("public_key=").append(NoisePrivateKey.generate(RANDOM).publicKey().toHex());
      r.append("\nallowed_ip=10.").append(i >> 8).append('.').append(i & 255).append(".0/24\n");
    }
    r.append('\n');
    assertThat(request(server.socket(), r.toString())).isEqualTo("errno=0\n\n");
    assertThat(new UapiHandler(device).get().lines().filter(l -> l.startsWith("public_key=")))
        .hasSize(2000);
  }

  @Test
  void aClientThatHangsUpMidRequestChangesNothingAndDisturbsNoOne() throws IOException {
    String before = request(server.socket(), "get=1\n\n");
    try (SocketChannel other = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
      try (SocketChannel quitter =
          SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
        Channels.newOutputStream(quitter)
            .write(
                ("set=1\nreplace_peers=true\npublic_key="
                        + NoisePrivateKey.generate(RANDOM).publicKey().toHex()
                        + "\n")
                    .getBytes());
        quitter.shutdownOutput();
        assertThat(Channels.newInputStream(quitter).readAllBytes()).isEmpty();
      }
      Channels.newOutputStream(other).write("get=1\n\n".getBytes());
      assertThat(readReply(Channels.newInputStream(other))).isEqualTo(before);
    }
  }

  /** One request on a fresh connection; the reply up to and including "errno=N\n\n". */
  private static String request(Path socket, String text) {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      Channels.newOutputStream(ch).write(text.getBytes(StandardCharsets.UTF_8));
      return readReply(Channels.newInputStream(ch));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String readReply(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      String s = b.toString(StandardCharsets.UTF_8);
      int errno = s.lastIndexOf("errno=");
      if (errno >= 0 && s.endsWith("\n\n") && (errno == 0 || s.charAt(errno - 1) == '\n')) {
        return s;
      }
    }
    throw new IOException("the server hung up: " + b.toString(StandardCharsets.UTF_8));
  }
}
