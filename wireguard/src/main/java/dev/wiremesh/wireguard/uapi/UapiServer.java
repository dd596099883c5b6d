package dev.wiremesh.wireguard.uapi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The UAPI socket {@code /var/run/wireguard/<ifname>.sock} that wg(8) talks to: the folder mode
 * 0755, the socket 0600 (root only: the socket hands out the private key). A socket file nobody
 * answers on is stale and replaced; one that answers means another daemon owns the interface. Each
 * connection may carry several requests, one after another, as wireguard-go allows.
 */
public final class UapiServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UapiServer.class.getName());

  /** Where wg(8) looks for sockets. */
  public static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

  /** The longest request accepted: far above 10,000 peers' worth of lines. */
  static final int MAX_REQUEST_BYTES = 64 << 20;

  private final Path socket;
  private final ServerSocketChannel server;
  private final UapiHandler handler;
  private final Thread acceptor;
  private volatile boolean closed;

  private UapiServer(Path socket, ServerSocketChannel server, UapiHandler handler) {
    this.socket = socket;
    this.server = server;
    this.handler = handler;
    this.acceptor =
        Thread.ofPlatform()
            .name("uapi-" + socket.getFileName())
            .daemon()
            .unstarted(this::acceptLoop);
  }

  /**
   * Listens on {@code dir/<ifname>.sock}.
   *
   * @throws IOException with a one-line message if the socket is in use or cannot be created
   */
  public static UapiServer start(Path dir, String ifname, UapiHandler handler) throws IOException {
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path socket = dir.resolve(ifname + ".sock");
    if (Files.exists(socket)) {
      try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
        throw new IOException("UAPI socket " + socket + " is in use by another process");
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().contains("in use by another")) {
          throw e;
        }
        Files.deleteIfExists(socket); // stale: nobody answers
      }
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot create UAPI socket " + socket + ": " + e.getMessage(), e);
    }
    UapiServer s = new UapiServer(socket, server, handler);
    s.acceptor.start();
    return s;
  }

  public Path socket() {
    return socket;
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.log(Level.WARNING, "UAPI accept failed", e);
        }
        return;
      }
      Thread.ofVirtual().name("uapi-conn").start(() -> serve(ch));
    }
  }

  private void serve(SocketChannel ch) {
    try (ch;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(ch)) {
      String op;
      while ((op = in.readLine()) != null) {
        String reply;
        switch (op) {
          case "get=1" -> {
            List<String> rest = readBlock(in);
            reply =
                rest == null || !rest.isEmpty()
                    ? errno(UapiException.EINVAL)
                    : handler.get() + "errno=0\n\n";
          }
          case "set=1" -> {
            List<String> lines = readBlock(in);
            if (lines == null) {
              reply = errno(UapiException.EPROTO);
            } else {
              reply = set(lines);
            }
          }
          default -> {
            reply = errno(UapiException.EINVAL);
            out.write(reply.getBytes(StandardCharsets.UTF_8));
            return;
          }
        }
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "UAPI connection ended", e);
    }
  }

  private String set(List<String> lines) {
    try {
      handler.set(SetRequest.parse(lines));
      return "errno=0\n\n";
    } catch (UapiException e) {
      LOG.log(Level.WARNING, "UAPI set refused: " + e.getMessage());
      return errno(e.errno());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "UAPI set failed", e);
      return errno(UapiException.EIO);
    }
  }

  private static String errno(int errno) {
    return "errno=-" + errno + "\n\n";
  }

  /**
   * The lines up to the blank line that ends a request; null if the stream ends first or is too
   * long.
   */
  private static List<String> readBlock(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    long total = 0;
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        return lines;
      }
      total += line.length() + 1;
      if (total > MAX_REQUEST_BYTES) {
        return null;
      }
      lines.add(line);
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the UAPI socket", e);
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.log(Level.FINE, "removing the UAPI socket", e);
    }
  }
}
