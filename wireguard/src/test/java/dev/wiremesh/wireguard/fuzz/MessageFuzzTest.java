package dev.wiremesh.wireguard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiremesh.wireguard.cookie.CookieChecker;
import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.message.Messages;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.ManualClock;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * Hostile datagrams against everything that parses them: nothing may throw. With JAZZER_FUZZ=1 (set
 * for this class in wireguard/pom.xml) Jazzer mutates inputs for the annotated time; otherwise it
 * replays its corpus.
 */
class MessageFuzzTest {
  static final ManualClock CLOCK = new ManualClock();
  static final LocalIdentity LOCAL = LocalIdentity.of(NoisePrivateKey.generate(new SecureRandom()));
  static final LocalIdentity REMOTE =
      LocalIdentity.of(NoisePrivateKey.generate(new SecureRandom()));
  static final Handshake PEER = new Handshake(REMOTE.publicKey(), LOCAL);
  static final CookieChecker CHECKER = new CookieChecker(LOCAL.publicKey(), CLOCK);
  static final CookieGenerator GENERATOR = new CookieGenerator(REMOTE.publicKey(), CLOCK);
  static final InetSocketAddress SOURCE = new InetSocketAddress("192.0.2.1", 51820);

  @FuzzTest(maxDuration = "20s")
  void parsingNeverThrows(FuzzedDataProvider data) {
    boolean typed = data.consumeBoolean();
    int type = data.consumeInt(1, 4);
    byte[] msg = data.consumeRemainingAsBytes();
    if (typed && msg.length >= 4) {
      // Steer half the inputs to a well-formed type and size so the deeper paths run.
      int size =
          switch (type) {
            case 1 -> Messages.MESSAGE_INITIATION_SIZE;
            case 2 -> Messages.MESSAGE_RESPONSE_SIZE;
            case 3 -> Messages.MESSAGE_COOKIE_REPLY_SIZE;
            default -> Math.max(32, msg.length);
          };
      msg = java.util.Arrays.copyOf(msg, size);
      Messages.putInt(msg, 0, type);
    }
    int t = Messages.type(msg, msg.length);
    CHECKER.checkMac1(msg, msg.length);
    CHECKER.checkMac2(msg, msg.length, SOURCE);
    switch (t) {
      case Messages.MESSAGE_INITIATION_TYPE ->
          Handshake.consumeMessageInitiation(LOCAL, msg, k -> PEER, CLOCK);
      case Messages.MESSAGE_RESPONSE_TYPE ->
          Handshake.consumeMessageResponse(LOCAL, msg, i -> PEER);
      case Messages.MESSAGE_COOKIE_REPLY_TYPE -> GENERATOR.consumeReply(msg);
      default -> {}
    }
  }
}
