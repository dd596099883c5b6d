package dev.wiremesh.agent.netlink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Netlink attributes (struct rtattr / nlattr), each padded to 4 bytes; nestable. */
final class RtAttrs {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  RtAttrs put(int type, byte[] value) {
    int len = 4 + value.length;
    ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
    b.putShort((short) len).putShort((short) type).put(value);
    out.writeBytes(b.array());
    return this;
  }

  RtAttrs putInt(int type, int value) {
    return put(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
  }

  /** An attribute whose value is the attributes in {@code inner}. */
  RtAttrs nest(int type, RtAttrs inner) {
    return put(type, inner.bytes());
  }

  int size() {
    return out.size();
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
