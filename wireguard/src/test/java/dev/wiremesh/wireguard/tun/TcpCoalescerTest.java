package dev.wiremesh.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TcpCoalescerTest {
  private static final int OFFSET = 16;
  private static final int ACK = 0x10;
  private static final int PSH = 0x08;

  /** The segments of a super-packet of {@code payload} bytes, each at {@link #OFFSET}. */
  private static byte[][] segments(int payload, int segmentSize, int flags, int[] sizes) {
    byte[] data = new byte[payload];
    for (int i = 0; i < payload; i++) {
      data[i] = (byte) (i * 13);
    }
    byte[] in = TcpSegmenterTest.tcp4(TcpSegmenter.GSO_TCPV4, segmentSize, flags, data);
    var s = new TcpSegmenter();
    s.reset(in, in.length);
    byte[][] out = new byte[sizes.length][];
    for (int i = 0; s.hasNext(); i++) {
      out[i] = new byte[OFFSET + 2048];
      sizes[i] = s.next(out[i], OFFSET);
    }
    return out;
  }

  /** Cuts {@code out[0, length)} (a virtio header and a packet) back into packets. */
  private static byte[][] cut(byte[] out, int length, int count) {
    var s = new TcpSegmenter();
    assertThat(s.reset(Arrays.copyOf(out, length), length)).isTrue();
    byte[][] packets = new byte[count][];
    for (int i = 0; i < count; i++) {
      assertThat(s.hasNext()).isTrue();
      byte[] p = new byte[2048];
      packets[i] = Arrays.copyOf(p, s.next(p, 0));
    }
    assertThat(s.hasNext()).isFalse();
    return packets;
  }

  @Test
  void consecutiveSegmentsBecomeOneSuperPacketThatCutsBackIntoThem() {
    int[] sizes = new int[5];
    byte[][] bufs = segments(4500, 1000, ACK | PSH, sizes);
    byte[] out = new byte[TcpSegmenter.HEADER_SIZE + 65535];

    long merged = TcpCoalescer.coalesce(bufs, sizes, OFFSET, 0, 5, out);

    assertThat(TcpCoalescer.taken(merged)).isEqualTo(5);
    int length = TcpCoalescer.length(merged);
    assertThat(length).isEqualTo(TcpSegmenter.HEADER_SIZE + 40 + 4500);
    assertThat(out[0]).isEqualTo((byte) TcpSegmenter.F_NEEDS_CSUM);
    assertThat(out[1]).isEqualTo((byte) TcpSegmenter.GSO_TCPV4);
    assertThat((out[4] & 0xff) | (out[5] & 0xff) << 8).isEqualTo(1000);
    byte[][] again = cut(out, length, 5);
    for (int i = 0; i < 5; i++) {
      byte[] original = Arrays.copyOfRange(bufs[i], OFFSET, OFFSET + sizes[i]);
      // The IPv4 identification is the first's plus the index either way.
      assertThat(again[i]).as("segment %d", i).isEqualTo(original);
    }
  }

  @Test
  void aSegmentOfAnotherFlowOrOutOfSequenceEndsTheRun() {
    int[] sizes = new int[4];
    byte[][] bufs = segments(4000, 1000, ACK, sizes);
    bufs[2][OFFSET + 21] ^= 1; // another source port
    byte[] out = new byte[TcpSegmenter.HEADER_SIZE + 65535];
    assertThat(TcpCoalescer.taken(TcpCoalescer.coalesce(bufs, sizes, OFFSET, 0, 4, out)))
        .isEqualTo(2);

    bufs = segments(4000, 1000, ACK, sizes);
    byte[][] swapped = {bufs[0], bufs[2], bufs[1], bufs[3]};
    assertThat(TcpCoalescer.taken(TcpCoalescer.coalesce(swapped, sizes, OFFSET, 0, 4, out)))
        .isEqualTo(1);
  }

  @Test
  void aPacketThatCannotMergeIsWrittenAloneBehindAnEmptyHeader() {
    int[] sizes = new int[2];
    byte[][] bufs = segments(2000, 1000, ACK | PSH, sizes); // the first has no PSH, the last has
    bufs[0][OFFSET + 9] = 17; // UDP: not merged
    byte[] out = new byte[TcpSegmenter.HEADER_SIZE + 65535];

    long merged = TcpCoalescer.coalesce(bufs, sizes, OFFSET, 0, 2, out);

    assertThat(TcpCoalescer.taken(merged)).isEqualTo(1);
    assertThat(TcpCoalescer.length(merged)).isEqualTo(TcpSegmenter.HEADER_SIZE + sizes[0]);
    assertThat(Arrays.copyOf(out, TcpSegmenter.HEADER_SIZE)).containsOnly(0);
    assertThat(
            Arrays.copyOfRange(out, TcpSegmenter.HEADER_SIZE, TcpSegmenter.HEADER_SIZE + sizes[0]))
        .isEqualTo(Arrays.copyOfRange(bufs[0], OFFSET, OFFSET + sizes[0]));
  }
}
