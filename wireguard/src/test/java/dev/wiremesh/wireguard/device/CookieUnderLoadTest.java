package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.net.Bind;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.net.MemoryBind;
import dev.wiremesh.wireguard.net.MemoryNetwork;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.ratelimit.RateLimiter;
import dev.wiremesh.wireguard.timers.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of handshake initiations from one source puts a device "under load": it answers with
 * cookie replies instead of doing Diffie-Hellman, rate-limits those that carry a valid cookie, and
 * the session it already has with another peer keeps carrying traffic all the while.
 */
class CookieUnderLoadTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** More than the queue holds: at least an eighth of it stays taken while the flood lasts. */
  static final int FLOOD = 2 * HandshakeQueue.QUEUE_HANDSHAKE_SIZE;

  final MemoryNetwork network = new MemoryNetwork();
  final MemoryNode victim = new MemoryNode(network, "wg-victim", "192.0.2.1", "10.0.0.1");
  final MemoryNode friend = new MemoryNode(network, "wg-friend", "192.0.2.2", "10.0.0.2");
  final MemoryBind attackerBind = network.bind(MemoryNode.ip("198.51.100.66"));
  final List<byte[]> attackerReceived = new CopyOnWriteArrayList<>();
  Thread attackerReceiver;

  @AfterEach
  void close() throws IOException {
    victim.close();
    friend.close();
    attackerBind.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void floodEngagesCookiesThenTheRateLimiterWhileAnEstablishedSessionKeepsWorking()
      throws Exception {
    victim.connect(friend);
    friend.send(victim, bytes("before"));
    assertThat(victim.receive(WAIT)).isEqualTo(bytes("before"));

    Bind.Opened opened = attackerBind.open(0);
    attackerReceiver =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  byte[][] bufs = {new byte[2048]};
                  int[] sizes = new int[1];
                  Endpoint[] from = new Endpoint[1];
                  try {
                    while (true) {
                      int n = opened.receivers().getFirst().receive(bufs, sizes, from);
                      for (int i = 0; i < n; i++) {
                        attackerReceived.add(java.util.Arrays.copyOf(bufs[i], sizes[i]));
                      }
                    }
                  } catch (IOException closed) {
                    // the bind closed: the test is over
                  }
                });

    // A well-formed initiation with a valid MAC1 (anyone who knows the public key can make one)
    // from a key the victim does not know: each costs it Diffie-Hellman unless it is under load.
    LocalIdentity attacker = LocalIdentity.of(NoisePrivateKey.generate(new SecureRandom()));
    Handshake hs = new Handshake(victim.publicKey(), attacker);
    byte[] init = hs.createMessageInitiation(attacker, 7, Clock.system()).orElseThrow();
    CookieGenerator macs = new CookieGenerator(victim.publicKey(), Clock.system());
    macs.addMacs(init);

    Endpoint target = victim.endpoint();
    long floodStart = System.nanoTime();
    for (int i = 0; i < FLOOD; i++) {
      attackerBind.send(init, 0, init.length, target);
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(victim.device.drops().get("under load: cookie sent")).isPositive());
    await().atMost(WAIT).until(() -> !attackerReceived.isEmpty());
    // One source gets cookies at the rate limiter's pace, not one per message.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(victim.device.drops().get("under load: cookie reply rate limited"))
                    .isPositive());
    int replies = attackerReceived.size();
    double seconds = (System.nanoTime() - floodStart) / 1e9;
    assertThat(replies)
        .as("cookie replies to one source in %.1f s", seconds)
        .isLessThanOrEqualTo(
            RateLimiter.PACKETS_BURSTABLE
                + (int) Math.ceil(RateLimiter.PACKETS_PER_SECOND * seconds));
    byte[] reply = attackerReceived.getFirst();
    assertThat(reply).hasSize(MESSAGE_COOKIE_REPLY_SIZE);
    assertThat(getInt(reply, 0)).isEqualTo(MESSAGE_COOKIE_REPLY_TYPE);
    assertThat(getInt(reply, COOKIE_RECEIVER)).as("echoes the sender index").isEqualTo(7);

    // Meanwhile the established session carries traffic both ways.
    friend.send(victim, bytes("during"));
    assertThat(victim.receive(WAIT)).isEqualTo(bytes("during"));
    victim.send(friend, bytes("back"));
    assertThat(friend.receive(WAIT)).isEqualTo(bytes("back"));

    // With the cookie, MAC2 is valid: now the rate limiter decides, per source address.
    assertThat(macs.consumeReply(reply)).isTrue();
    macs.addMacs(init);
    for (int i = 0; i < FLOOD; i++) {
      attackerBind.send(init, 0, init.length, target);
    }
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(victim.device.drops().get("rate limited")).isPositive());

    friend.send(victim, bytes("after"));
    assertThat(victim.receive(WAIT)).isEqualTo(bytes("after"));
    assertThat(victim.device.snapshot().peers()).hasSize(1);
  }
}
