package dev.wiremesh.wireguard.uapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 *
 * <p>Each request is read whole before it is handled: lines of at most {@link #MAX_LINE_BYTES},
 * requests of at most {@link #MAX_REQUEST_BYTES} (beyond, {@code errno=-5} and the connection is
 * closed). A request the client cuts short by hanging up is not applied, not even in part (where
 * wireguard-go would have applied the lines it had read). An unknown operation gets {@code
 * errno=-22} and the connection is closed (wireguard-go closes without a reply).
 */
public final class UapiServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UapiServer.class.getName());

  /** Where wg(8) looks for sockets. */
  public static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

  /** The longest request accepted: far above 10,000 peers' worth of lines. */
  static final int MAX_REQUEST_BYTES = 64 << 20;

  /** The longest line accepted, as Go's line scanner (no valid line comes near it). */
  static final int MAX_LINE_BYTES = 64 << 10;

  private final Path socket;
  private final ServerSocketChannel server;
  private final UapiHandler handler;
  private final long maxRequestBytes;
  private final Thread acceptor;
  private volatile boolean closed;

  private UapiServer(
      Path socket, ServerSocketChannel server, UapiHandler handler, long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
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
    return start(dir, ifname, handler, MAX_REQUEST_BYTES);
  }

  /** As {@link #start(Path, String, UapiHandler)} with another request size limit (tests). */
  static UapiServer start(Path dir, String ifname, UapiHandler handler, long maxRequestBytes)
      throws IOException {
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path socket = dir.resolve(ifname + ".sock");
    if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      if (answers(socket)) {
        throw new IOException(
            "UAPI socket " + socket + " is in use: another daemon runs " + ifname);
      }
      Files.deleteIfExists(socket); // stale: left by a daemon that died
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot create UAPI socket " + socket + ": " + e.getMessage(), e);
    }
    UapiServer s = new UapiServer(socket, server, handler, maxRequestBytes);
    s.acceptor.start();
    return s;
  }

  private static boolean answers(Path socket) {
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      return true;
    } catch (IOException e) {
      return false;
    }
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
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch)) {
      RequestReader reader = new RequestReader(in, maxRequestBytes);
      while (true) {
        Block op = reader.readBlock();
        if (op.lines().isEmpty()) {
          return; // the client is done (or sent a blank line where an operation belongs)
        }
        String reply =
            switch (op.lines().getFirst()) {
              case "get=1" ->
                  op.end() != End.BLANK
                      ? null
                      : op.lines().size() > 1 ? errno(UapiException.EINVAL) : get();
              case "set=1" ->
                  switch (op.end()) {
                    case BLANK -> set(op.lines().subList(1, op.lines().size()));
                    case TOO_LONG -> errno(UapiException.EIO);
                    // A request cut short is never applied, not even in part.
                    case EOF -> null;
                  };
              default -> errno(UapiException.EINVAL);
            };
        if (reply != null) {
          out.write(reply.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
        if (reply == null || op.end() != End.BLANK || !isOperation(op.lines().getFirst())) {
          // After a cut, oversized or unknown request the stream cannot be trusted: hang up.
          if (op.end() == End.TOO_LONG) {
            LOG.warning("UAPI request refused: longer than " + maxRequestBytes + " bytes");
            ch.shutdownOutput();
            reader.drain();
          }
          return;
        }
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "UAPI connection ended", e);
    }
  }

  private static boolean isOperation(String line) {
    return line.equals("get=1") || line.equals("set=1");
  }

  private String get() {
    return handler.get() + "errno=0\n\n";
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

  private enum End {
    BLANK,
    EOF,
    TOO_LONG
  }

  private record Block(List<String> lines, End end) {}

  /**
   * Reads a connection's requests. Lines end with '\n' (a '\r' before it is dropped, as Go's line
   * scanner does); no line may exceed {@link #MAX_LINE_BYTES} and no request the server's limit, so
   * a client cannot make the daemon buffer without bound.
   */
  private static final class RequestReader {
    private final InputStream in;
    private final long maxRequestBytes;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int lim;

    RequestReader(InputStream in, long maxRequestBytes) {
      this.in = in;
      this.maxRequestBytes = maxRequestBytes;
    }

    /** The lines up to the blank line that ends a request, and how the block ended. */
    Block readBlock() throws IOException {
      List<String> lines = new ArrayList<>();
      ByteArrayOutputStream line = new ByteArrayOutputStream(128);
      long total = 0;
      while (true) {
        if (pos == lim) {
          lim = in.read(buf);
          pos = 0;
          if (lim < 0) {
            lim = 0;
            return new Block(lines, End.EOF);
          }
        }
        int nl = pos;
        while (nl < lim && buf[nl] != '\n') {
          nl++;
        }
        int n = nl - pos;
        total += n + (nl < lim ? 1 : 0);
        if (total > maxRequestBytes || line.size() + n > MAX_LINE_BYTES) {
          return new Block(lines, End.TOO_LONG);
        }
        line.write(buf, pos, n);
        if (nl == lim) {
          pos = lim;
          continue;
        }
        pos = nl + 1;
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) {
          text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
          return new Block(lines, End.BLANK);
        }
        lines.add(text);
      }
    }

    /** Discards the rest of the stream (so that closing does not reset the reply away). */
    void drain() throws IOException {
      while (in.read(buf) >= 0) {
        // the bytes of a refused request
      }
    }
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
