package dev.wiremesh.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TcpSegmenterTest {
  private static final int ACK = 0x10;
  private static final int PSH = 0x08;
  private static final int FIN = 0x01;
  private static final int CWR = 0x80;

  /** A virtio header and an IPv4 TCP packet (20 + 20 bytes of headers) with {@code payload}. */
  static byte[] tcp4(int gsoType, int gsoSize, int flags, byte[] payload) {
    byte[] b = new byte[TcpSegmenter.HEADER_SIZE + 40 + payload.length];
    b[0] = TcpSegmenter.F_NEEDS_CSUM;
    b[1] = (byte) gsoType;
    b[2] = 40; // hdr_len
    b[4] = (byte) gsoSize;
    b[5] = (byte) (gsoSize >>> 8);
    b[6] = 20; // csum_start
    b[8] = 16; // csum_offset
    int ip = TcpSegmenter.HEADER_SIZE;
    b[ip] = 0x45;
    InternetChecksum.put(b, ip + 2, 40 + payload.length);
    InternetChecksum.put(b, ip + 4, 0x1234);
    b[ip + 8] = 64;
    b[ip + 9] = 6;
    byte[] addresses = {10, 77, 0, 1, 10, 77, 0, 2};
    System.arraycopy(addresses, 0, b, ip + 12, 8);
    int tcp = ip + 20;
    InternetChecksum.put(b, tcp, 40000);
    InternetChecksum.put(b, tcp + 2, 5201);
    b[tcp + 4] = (byte) 0xff; // sequence 0xfffffc00: the segments wrap around
    b[tcp + 5] = (byte) 0xff;
    b[tcp + 6] = (byte) 0xfc;
    b[tcp + 12] = 0x50;
    b[tcp + 13] = (byte) flags;
    System.arraycopy(payload, 0, b, tcp + 20, payload.length);
    return b;
  }

  private static byte[] payload(int n) {
    byte[] p = new byte[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) (i * 7);
    }
    return p;
  }

  private static boolean checksumsHold(byte[] p, int len) {
    boolean ip = InternetChecksum.fold(InternetChecksum.add(p, 0, 20, 0)) == 0xffff;
    long sum = InternetChecksum.pseudoHeader(p, 0, false, 6, len - 20);
    boolean tcp = InternetChecksum.fold(InternetChecksum.add(p, 20, len - 20, sum)) == 0xffff;
    return ip && tcp;
  }

  private static long sequence(byte[] p) {
    return ((long) (p[24] & 0xff) << 24)
        | (p[25] & 0xff) << 16
        | (p[26] & 0xff) << 8
        | p[27] & 0xff;
  }

  @Test
  void cutsASuperPacketIntoSegmentsWithTheirOwnHeadersAndChecksums() {
    byte[] data = payload(2500);
    byte[] in = tcp4(TcpSegmenter.GSO_TCPV4, 1000, ACK | PSH | FIN | CWR, data);
    var s = new TcpSegmenter();
    assertThat(s.reset(in, in.length)).isTrue();

    byte[][] out = new byte[3][1100];
    int[] lengths = new int[3];
    for (int i = 0; i < 3; i++) {
      assertThat(s.hasNext()).isTrue();
      int expected = s.nextLength();
      lengths[i] = s.next(out[i], 0);
      assertThat(lengths[i]).isEqualTo(expected);
    }
    assertThat(s.hasNext()).isFalse();
    assertThat(lengths).containsExactly(1040, 1040, 540);
    for (int i = 0; i < 3; i++) {
      byte[] p = out[i];
      assertThat(checksumsHold(p, lengths[i])).as("segment %d checksums", i).isTrue();
      assertThat(((p[2] & 0xff) << 8) | (p[3] & 0xff)).isEqualTo(lengths[i]);
      assertThat(((p[4] & 0xff) << 8) | (p[5] & 0xff)).isEqualTo(0x1234 + i);
      assertThat(sequence(p)).isEqualTo((0xfffffc00L + i * 1000L) & 0xffffffffL);
      assertThat(Arrays.copyOfRange(p, 40, lengths[i]))
          .isEqualTo(Arrays.copyOfRange(data, i * 1000, Math.min(2500, i * 1000 + 1000)));
    }
    assertThat(out[0][33] & 0xff).isEqualTo(ACK | CWR);
    assertThat(out[1][33] & 0xff).isEqualTo(ACK);
    assertThat(out[2][33] & 0xff).isEqualTo(ACK | PSH | FIN);
  }

  @Test
  void completesTheChecksumOfAPlainPacketThatNeedsIt() {
    byte[] in = tcp4(TcpSegmenter.GSO_NONE, 0, ACK, payload(300));
    // The kernel leaves the pseudo-header sum in the field for us to complete.
    int tcp = TcpSegmenter.HEADER_SIZE + 20;
    InternetChecksum.put(
        in,
        tcp + 16,
        InternetChecksum.fold(
            InternetChecksum.pseudoHeader(in, TcpSegmenter.HEADER_SIZE, false, 6, 320)));
    var s = new TcpSegmenter();
    assertThat(s.reset(in, in.length)).isTrue();
    byte[] out = new byte[400];
    assertThat(s.next(out, 0)).isEqualTo(340);
    assertThat(s.hasNext()).isFalse();
    InternetChecksum.put(out, 10, 0); // the test packet's IPv4 header checksum was never set
    InternetChecksum.put(out, 10, InternetChecksum.complement(InternetChecksum.add(out, 0, 20, 0)));
    assertThat(checksumsHold(out, 340)).isTrue();
  }

  @Test
  void refusesWhatItCannotCut() {
    var s = new TcpSegmenter();
    assertThat(s.reset(new byte[5], 5)).isFalse();
    byte[] udp = tcp4(5, 1000, ACK, payload(3000)); // VIRTIO_NET_HDR_GSO_UDP_L4
    assertThat(s.reset(udp, udp.length)).isFalse();
    assertThat(s.hasNext()).isFalse();
  }
}
