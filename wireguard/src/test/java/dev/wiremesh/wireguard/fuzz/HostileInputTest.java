package dev.wiremesh.wireguard.fuzz;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.wiremesh.wireguard.cookie.CookieChecker;
import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.message.Messages;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.ManualClock;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutations of valid handshake messages (bit flips, truncation, extension, splices), deterministic
 * for a seed, against every parser: nothing throws, and nothing mutated is accepted. Complements
 * the Jazzer fuzz test, whose coverage instrumentation cannot read Java 25 class files yet (Jazzer
 * 0.24 bundles an ASM that stops at class file version 68), so its mutations run unguided.
 */
class HostileInputTest {
  @Test
  void mutatedHandshakesNeverThrowAndAreNeverAccepted() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    ManualClock clock = new ManualClock();
    LocalIdentity bob = LocalIdentity.of(NoisePrivateKey.generate(new SecureRandom()));
    LocalIdentity alice = LocalIdentity.of(NoisePrivateKey.generate(new SecureRandom()));
    Handshake aliceToBob = new Handshake(bob.publicKey(), alice);
    CookieChecker checker = new CookieChecker(bob.publicKey(), clock);
    CookieGenerator generator = new CookieGenerator(bob.publicKey(), clock);
    InetSocketAddress source = new InetSocketAddress("192.0.2.1", 51820);
    byte[] valid = aliceToBob.createMessageInitiation(alice, 7, clock).orElseThrow();
    generator.addMacs(valid);
    byte[] reply = checker.createReply(valid, valid.length, source);
    assertThatCode(
            () -> {
              for (int i = 0; i < 20_000; i++) {
                byte[] base = random.nextBoolean() ? valid : reply;
                byte[] m = mutate(base, random);
                boolean identical = Arrays.equals(m, base);
                int type = Messages.type(m, m.length);
                boolean mac1 = checker.checkMac1(m, m.length);
                checker.checkMac2(m, m.length, source);
                Handshake fresh = new Handshake(alice.publicKey(), bob);
                if (type == Messages.MESSAGE_INITIATION_TYPE) {
                  var r = Handshake.consumeMessageInitiation(bob, m, k -> fresh, clock);
                  if (!identical && r.isPresent() && mac1) {
                    // Only bytes MAC1 does not cover (MAC2) may differ and still be accepted.
                    boolean onlyMac2 =
                        Arrays.equals(m, 0, Messages.INIT_MAC2, base, 0, Messages.INIT_MAC2);
                    if (!onlyMac2) {
                      throw new AssertionError("accepted a mutated initiation, seed " + seed);
                    }
                  }
                } else if (type == Messages.MESSAGE_RESPONSE_TYPE) {
                  Handshake.consumeMessageResponse(bob, m, idx -> fresh);
                } else if (type == Messages.MESSAGE_COOKIE_REPLY_TYPE) {
                  generator.consumeReply(m);
                }
              }
            })
        .as("seed %d", seed)
        .doesNotThrowAnyException();
  }

  static byte[] mutate(byte[] base, Random r) {
    byte[] m = base.clone();
    switch (r.nextInt(5)) {
      case 0 -> m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
      case 1 -> m = Arrays.copyOf(m, r.nextInt(m.length + 1));
      case 2 -> m = Arrays.copyOf(m, m.length + 1 + r.nextInt(64));
      case 3 -> {
        for (int i = 0; i < 1 + r.nextInt(8); i++) {
          m[r.nextInt(m.length)] = (byte) r.nextInt();
        }
      }
      default -> {
        byte[] junk = new byte[r.nextInt(200)];
        r.nextBytes(junk);
        if (junk.length >= 4) {
          Messages.putInt(junk, 0, 1 + r.nextInt(4));
        }
        m = junk;
      }
    }
    return m;
  }
}
