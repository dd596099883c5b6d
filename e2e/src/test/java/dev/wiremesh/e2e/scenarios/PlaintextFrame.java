package dev.wiremesh.e2e.scenarios;

import dev.wiremesh.e2e.localmesh.Sh;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * An Ethernet frame carrying one IPv4 UDP datagram, put on a wire through a packet socket (socat's
 * INTERFACE address): it leaves without passing any of the sending namespace's firewall hooks, as
 * from a host without WireMesh's rules.
 */
final class PlaintextFrame {

  private PlaintextFrame() {}

  static byte[] udp(
      String srcMac,
      String dstMac,
      String srcIp,
      String dstIp,
      int srcPort,
      int dstPort,
      String payload) {
    byte[] data = payload.getBytes(StandardCharsets.US_ASCII);
    int ipLength = 20 + 8 + data.length;
    ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
    b.put(HexFormat.ofDelimiter(":").parseHex(dstMac));
    b.put(HexFormat.ofDelimiter(":").parseHex(srcMac));
    b.putShort((short) 0x0800);
    int ip = b.position();
    b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength);
    b.putShort((short) 0).putShort((short) 0x4000); // id, don't fragment
    b.put((byte) 64).put((byte) 17).putShort((short) 0); // ttl, UDP, checksum below
    b.put(address(srcIp)).put(address(dstIp));
    b.putShort((short) srcPort).putShort((short) dstPort);
    b.putShort((short) (8 + data.length)).putShort((short) 0); // no UDP checksum (IPv4 allows it)
    b.put(data);
    byte[] frame = b.array();
    int sum = 0;
    for (int i = ip; i < ip + 20; i += 2) {
      sum += ((frame[i] & 0xff) << 8) | (frame[i + 1] & 0xff);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    int checksum = ~sum & 0xffff;
    frame[ip + 10] = (byte) (checksum >> 8);
    frame[ip + 11] = (byte) checksum;
    return frame;
  }

  private static byte[] address(String ipv4) {
    try {
      return InetAddress.getByName(ipv4).getAddress();
    } catch (IOException e) {
      throw new IllegalArgumentException(ipv4, e);
    }
  }

  /** Sends {@code frame} out of {@code device} in namespace {@code ns}, as it is. */
  static void send(String ns, String device, byte[] frame) {
    try {
      Process p =
          new ProcessBuilder(Sh.inNetns(ns, "socat", "-u", "STDIN", "INTERFACE:" + device))
              .redirectErrorStream(true)
              .start();
      try (var in = p.getOutputStream()) {
        in.write(frame);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("socat INTERFACE:" + device + " in " + ns + ": " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
