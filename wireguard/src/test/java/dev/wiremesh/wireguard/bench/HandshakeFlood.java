package dev.wiremesh.wireguard.bench;

import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.Clock;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A handshake-initiation flood from one source, for wireguard/bench/flood.sh (not a test):
 * well-formed initiations with a valid MAC1 — anyone who knows a WireGuard interface's public key
 * can make them — from a key the target does not know, sent as fast as one socket can. Each costs
 * the target a Diffie-Hellman unless it is under load and answers with a cookie reply instead. With
 * {@code --cookie} the flood takes the first cookie reply and sends valid MAC2s from then on, so
 * that the target's rate limiter has to stop it.
 *
 * <pre>HandshakeFlood SOURCE_IP TARGET_IP:PORT TARGET_PUBLIC_KEY SECONDS [--cookie]</pre>
 *
 * Prints one line: {@code sent=N rate_per_s=R cookie_replies=C}.
 */
public final class HandshakeFlood {

  private HandshakeFlood() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: HandshakeFlood SOURCE_IP TARGET_IP:PORT TARGET_PUBLIC_KEY SECONDS [--cookie]");
      System.exit(2);
    }
    String source = args[0];
    String target = args[1];
    int colon = target.lastIndexOf(':');
    var to =
        new InetSocketAddress(
            target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
    NoisePublicKey victim = NoisePublicKey.fromBase64(args[2]);
    Duration length = Duration.ofSeconds(Long.parseLong(args[3]));
    boolean useCookie = args.length > 4 && args[4].equals("--cookie");

    LocalIdentity attacker = LocalIdentity.of(NoisePrivateKey.generate(new SecureRandom()));
    CookieGenerator macs = new CookieGenerator(victim, Clock.system());
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      Handshake hs = new Handshake(victim, attacker);
      byte[] init = hs.createMessageInitiation(attacker, 1000 + i, Clock.system()).orElseThrow();
      macs.addMacs(init);
      messages.add(init);
    }

    AtomicLong replies = new AtomicLong();
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.bind(new InetSocketAddress(source, 0));
      ch.connect(to);
      Thread receiver =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    ByteBuffer in = ByteBuffer.allocate(2048);
                    try {
                      while (true) {
                        in.clear();
                        ch.read(in);
                        if (in.position() == 64) {
                          replies.incrementAndGet();
                          if (useCookie) {
                            byte[] reply = java.util.Arrays.copyOf(in.array(), 64);
                            synchronized (messages) {
                              if (macs.consumeReply(reply)) {
                                messages.forEach(macs::addMacs);
                              }
                            }
                          }
                        }
                      }
                    } catch (java.io.IOException | RuntimeException stopped) {
                      // the channel closed: the flood is over
                    }
                  });
      long end = System.nanoTime() + length.toNanos();
      long sent = 0;
      long start = System.nanoTime();
      ByteBuffer out = ByteBuffer.allocate(messages.getFirst().length);
      while (System.nanoTime() < end) {
        synchronized (messages) {
          for (int i = 0; i < 64; i++) {
            out.clear();
            out.put(messages.get((int) (sent & 255)));
            out.flip();
            try {
              ch.write(out);
              sent++;
            } catch (java.net.PortUnreachableException e) {
              // an ICMP error from an earlier datagram: keep flooding
            }
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(200);
      System.out.printf(
          "sent=%d rate_per_s=%.0f cookie_replies=%d%n", sent, sent / seconds, replies.get());
      receiver.interrupt();
    }
  }
}
