package dev.wiremesh.agent.netlink;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wiremesh.wireguard.os.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket through the FFM API: sends one request at a time and reads its answer (an
 * ACK, an error with its errno, or the messages of a dump). Not thread-safe; the link manager
 * serialises its use.
 */
final class NetlinkSocket implements AutoCloseable {
  static final int AF_NETLINK = 16;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int NETLINK_ROUTE = 0;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLM_F_REQUEST = 1;
  static final int NLM_F_MULTI = 2;
  static final int NLM_F_ACK = 4;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
  private static final MethodHandle SOCKET =
      handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle BIND =
      handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SEND =
      handle("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle RECV =
      handle("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle CLOSE =
      handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private static final MethodHandle SETSOCKOPT =
      handle(
          "setsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;

  private final Arena arena = Arena.ofConfined();
  private final MemorySegment errno = arena.allocate(CAPTURE);
  private final MemorySegment buf = arena.allocate(1 << 16);
  private final int fd;
  private int seq = (int) (System.nanoTime() & 0x7fffffff);

  private static MethodHandle handle(String name, FunctionDescriptor d) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
        d,
        CAPTURE_ERRNO);
  }

  NetlinkSocket() throws IOException {
    try {
      fd = (int) SOCKET.invoke(errno, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
      if (fd < 0) {
        throw new IOException("cannot open a netlink socket: " + Errno.name(errno()));
      }
      // Never wait for the kernel forever: a lost answer becomes an error after 5 s.
      MemorySegment tv = arena.allocate(16);
      tv.set(JAVA_LONG, 0, 5L);
      SETSOCKOPT.invoke(errno, fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
      MemorySegment sa = arena.allocate(12);
      sa.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
      if ((int) BIND.invoke(errno, fd, sa, 12) < 0) {
        int e = errno();
        CLOSE.invoke(errno, fd);
        throw new IOException("cannot bind a netlink socket: " + Errno.name(e));
      }
    } catch (IOException e) {
      arena.close();
      throw e;
    } catch (Throwable t) {
      arena.close();
      throw new IOException("netlink socket", t);
    }
  }

  private int errno() {
    return (int) ERRNO.get(errno, 0L);
  }

  /**
   * Sends {@code request} (a message without its header) of {@code type} with {@code flags} and
   * returns the payloads of the answering messages (for a dump) or an empty list (for an ACK).
   *
   * @throws NetlinkException carrying the kernel's errno if it refused
   */
  List<ByteBuffer> request(int type, int flags, byte[] body, String what) throws IOException {
    int s = ++seq;
    int len = 16 + body.length;
    ByteBuffer out = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
    out.putInt(len).putShort((short) type).putShort((short) (flags | NLM_F_REQUEST | NLM_F_ACK));
    out.putInt(s).putInt(0).put(body);
    MemorySegment.copy(out.array(), 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, len);
    try {
      long n = (long) SEND.invoke(errno, fd, buf, (long) len, 0);
      if (n < 0) {
        throw new NetlinkException(errno(), what);
      }
      List<ByteBuffer> answers = new ArrayList<>();
      while (true) {
        long r = (long) RECV.invoke(errno, fd, buf, buf.byteSize(), 0);
        if (r < 0) {
          throw new NetlinkException(errno(), what);
        }
        ByteBuffer in =
            ByteBuffer.wrap(buf.asSlice(0, r).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .order(ByteOrder.nativeOrder());
        while (in.remaining() >= 16) {
          int start = in.position();
          int mlen = in.getInt();
          int mtype = in.getShort() & 0xffff;
          int mflags = in.getShort() & 0xffff;
          int mseq = in.getInt();
          in.getInt();
          if (mlen < 16 || start + mlen > in.limit()) {
            throw new IOException(what + ": malformed netlink answer");
          }
          ByteBuffer payload = in.slice(start + 16, mlen - 16).order(ByteOrder.nativeOrder());
          in.position(start + ((mlen + 3) & ~3));
          if (mseq != s) {
            continue;
          }
          if (mtype == NLMSG_ERROR) {
            int err = -payload.getInt(0);
            if (err != 0) {
              throw new NetlinkException(err, what);
            }
            return answers; // the ACK ends a request (and a dump when NLM_F_ACK is set)
          }
          if (mtype == NLMSG_DONE) {
            return answers; // a dump ends with DONE (no ACK follows it)
          }
          answers.add(payload);
          if ((mflags & NLM_F_MULTI) == 0) {
            continue;
          }
        }
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(what, t);
    }
  }

  @Override
  public void close() {
    try {
      CLOSE.invoke(errno, fd);
    } catch (Throwable ignored) {
      // nothing left to do
    }
    arena.close();
  }
}
