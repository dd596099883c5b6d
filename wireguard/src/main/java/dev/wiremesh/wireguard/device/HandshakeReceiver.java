package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.rotation.StaticKeys;
import dev.wiremesh.wireguard.session.PeerSession;
import dev.wiremesh.wireguard.session.SessionIndex;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The device's handshake thread: takes handshake messages off the {@link HandshakeQueue} one at a
 * time, applies the cookie defence (MAC1 always; under load, MAC2 or a cookie reply, then the rate
 * limiter) before any Diffie-Hellman, finds which of the interface's static keys the message
 * addresses (two during a key rotation; MAC1 tells), finds the peer (by static key for an
 * initiation, by receiver index for a response or cookie reply) and hands the message to its
 * session.
 */
final class HandshakeReceiver {
  private static final Logger LOG = Logger.getLogger(HandshakeReceiver.class.getName());

  /** A handshake message waiting for this thread. */
  record Message(byte[] msg, int type, Endpoint source) {}

  private final Device device;

  HandshakeReceiver(Device device) {
    this.device = device;
  }

  /** Handshake messages, one at a time: cookies and the rate limiter guard the expensive part. */
  void run() {
    while (device.isUp()) {
      Message in;
      try {
        in = device.handshakes.poll(200);
      } catch (InterruptedException e) {
        return;
      }
      if (in == null) {
        continue;
      }
      try {
        handle(in);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "handshake message from " + in.source() + " failed", e);
      }
    }
  }

  private void handle(Message in) {
    StaticKeys keys = device.staticKeys();
    if (keys == null) {
      device.counters.dropped("no private key");
      return;
    }
    byte[] msg = in.msg();
    if (in.type() == MESSAGE_COOKIE_REPLY_TYPE) {
      Object owner = device.indices.lookup(getInt(msg, COOKIE_RECEIVER));
      Peer p =
          device.peerOf(
              owner instanceof PeerSession<?> s
                  ? s
                  : owner instanceof SessionIndex s ? s.session() : null);
      if (p == null || !p.session.consumeCookieReply(msg)) {
        device.counters.dropped("unexpected cookie reply");
      }
      return; // a cookie reply never changes an endpoint
    }
    StaticKeys.Addressed addressed = keys.addressedBy(msg, msg.length);
    if (addressed == null) {
      device.counters.dropped("bad mac1");
      return;
    }
    var checker = addressed.checker();
    if (device.handshakes.isUnderLoad()) {
      if (!checker.checkMac2(msg, msg.length, in.source().address())) {
        // A source gets cookies at the handshake rate limiter's pace at most: an initiator needs
        // one per retry, and a flood from one address then costs a MAC1 check per message instead
        // of a seal and a send (wireguard-go and the kernel answer every one).
        if (!device.cookieReplies.allow(in.source().ip())) {
          device.counters.dropped("under load: cookie reply rate limited");
          return;
        }
        byte[] reply = checker.createReply(msg, msg.length, in.source().address());
        device.sendDatagram(reply, 0, reply.length, in.source());
        device.counters.dropped("under load: cookie sent");
        return;
      }
      if (!device.rateLimiter.allow(in.source().ip())) {
        device.counters.dropped("rate limited");
        return;
      }
    }
    if (in.type() == MESSAGE_INITIATION_TYPE) {
      var found =
          PeerSession.consumeInitiation(
              addressed.identity(),
              msg,
              k -> {
                Peer p = device.peers.get(k);
                return p == null ? null : p.session;
              },
              device.sessionContext);
      Peer p = found.map(device::peerOf).orElse(null);
      if (p == null) {
        device.counters.dropped("initiation refused");
        return;
      }
      device.knownInitiations.accepted(msg);
      p.run(p.session.respond(in.source()));
    } else {
      Peer p =
          device.indices.lookup(getInt(msg, RESP_RECEIVER)) instanceof PeerSession<?> s
              ? device.peerOf(s)
              : null;
      if (p == null) {
        device.counters.dropped("response refused");
        return;
      }
      p.run(p.session.consumeResponse(msg, in.source()));
    }
  }
}
