package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.cookie.CookieGenerator;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.session.Keypair;
import dev.wiremesh.wireguard.session.Keypairs;
import dev.wiremesh.wireguard.timers.KeyFreshness;
import dev.wiremesh.wireguard.timers.PeerTimers;
import dev.wiremesh.wireguard.timers.TimerAction;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One peer of a {@link Device}: its handshake, sessions, timers, endpoint and counters, and its two
 * ordered queues. The send path (wireguard-go's send.go):
 *
 * <ol>
 *   <li>the TUN reader routes a packet here ({@link #send}); it waits in the staged queue;
 *   <li>with a usable session, each staged packet takes the next counter and goes, as one job, to
 *       the peer's outbound ordered queue and to one crypto worker chosen round-robin;
 *   <li>without one, a handshake starts and the packets wait (at most {@link #QUEUE_STAGED_SIZE});
 *   <li>workers seal; the ordered queue hands sealed datagrams to the UDP bind in counter order.
 * </ol>
 */
final class Peer {
  private static final Logger LOG = Logger.getLogger(Peer.class.getName());

  /** Packets waiting for a session (wireguard-go's QueueStagedSize). */
  static final int QUEUE_STAGED_SIZE = 128;

  /** Jobs in flight per peer and direction (wireguard-go's QueueOutboundSize). */
  static final int QUEUE_ORDERED_SIZE = 1024;

  final Device device;
  final NoisePublicKey publicKey;
  final Handshake handshake;
  final CookieGenerator cookieGenerator;
  final Keypairs keypairs = new Keypairs();
  final PeerTimers timers;
  final OrderedQueue<OutboundJob> outbound = new OrderedQueue<>(QUEUE_ORDERED_SIZE);
  final OrderedQueue<InboundJob> inbound = new OrderedQueue<>(QUEUE_ORDERED_SIZE);
  final AtomicLong rxBytes = new AtomicLong();
  final AtomicLong txBytes = new AtomicLong();
  private final ArrayDeque<byte[]> staged = new ArrayDeque<>();
  private volatile Endpoint endpoint;
  private volatile int persistentKeepalive;
  private volatile Instant lastHandshake;
  private volatile int handshakeIndex; // the index of our pending initiation, 0 if none

  Peer(Device device, NoisePublicKey publicKey) {
    this.device = device;
    this.publicKey = publicKey;
    this.handshake = new Handshake(publicKey, device.identity());
    this.cookieGenerator = new CookieGenerator(publicKey, device.clock);
    this.timers = new PeerTimers(device.clock, device.timing, new SplittableRandom());
  }

  Endpoint endpoint() {
    return endpoint;
  }

  void setEndpoint(Endpoint e) {
    endpoint = e;
  }

  int persistentKeepalive() {
    return persistentKeepalive;
  }

  void setPersistentKeepalive(int seconds) {
    persistentKeepalive = seconds;
    for (TimerAction a : timers.persistentKeepaliveChanged(seconds)) {
      if (a instanceof TimerAction.SendKeepalive && device.isUp()) {
        sendKeepalive();
      }
    }
  }

  void setPresharedKey(PresharedKey psk) {
    handshake.setPresharedKey(psk);
  }

  Instant lastHandshake() {
    return lastHandshake;
  }

  // ---- send path ----

  /** Queues an outbound IP packet (already laid out with header room) and pushes staged packets. */
  void send(byte[] packet) {
    synchronized (staged) {
      if (staged.size() >= QUEUE_STAGED_SIZE) {
        staged.pollFirst();
        device.counters.dropped("staged queue full");
      }
      staged.addLast(packet);
    }
    sendStaged();
  }

  void sendKeepalive() {
    synchronized (staged) {
      if (!staged.isEmpty()) {
        sendStaged();
        return;
      }
      staged.addLast(new byte[MESSAGE_TRANSPORT_HEADER_SIZE]);
    }
    sendStaged();
  }

  /** Seals and sends every staged packet if a session allows it; otherwise starts a handshake. */
  void sendStaged() {
    long now = device.clock.nanoTime();
    Keypair kp = keypairs.current();
    boolean usable =
        kp != null
            && !kp.isExpired()
            && KeyFreshness.usableForSending(device.timing, kp.createdNanos(), kp.sendCount(), now);
    if (kp != null
        && usable
        && KeyFreshness.needsRekeyOnSend(
            device.timing, kp.createdNanos(), kp.isInitiator(), kp.sendCount(), now)) {
      sendHandshakeInitiation(false);
    }
    if (!usable) {
      synchronized (staged) {
        if (staged.isEmpty()) {
          return;
        }
      }
      sendHandshakeInitiation(false);
      return;
    }
    Endpoint ep = endpoint;
    while (true) {
      byte[] packet;
      long counter;
      synchronized (staged) {
        packet = staged.peekFirst();
        if (packet == null) {
          return;
        }
        counter = kp.nextSendCounter();
        if (counter < 0) {
          sendHandshakeInitiation(false);
          return;
        }
        staged.pollFirst();
      }
      OutboundJob job = new OutboundJob(this, kp, counter, packet, ep);
      if (!outbound.add(job)) {
        device.counters.dropped("outbound queue full");
        continue;
      }
      if (!device.workers.submit(job)) {
        job.fail();
        outbound.drain(this::deliverOutbound);
      }
    }
  }

  /** The ordered queue's delivery: sends sealed datagrams in counter order. */
  void deliverOutbound(OutboundJob job) {
    if (!job.ok) {
      return;
    }
    Endpoint ep = endpoint;
    if (ep == null) {
      device.counters.dropped("no endpoint");
      return;
    }
    boolean keepalive = job.plaintextLength == 0;
    timers.anyAuthenticatedPacketTraversal();
    if (device.sendDatagram(job.buf, 0, job.datagramLength, ep)) {
      txBytes.addAndGet(job.datagramLength);
      timers.anyAuthenticatedPacketSent();
      if (!keepalive) {
        timers.dataSent();
      }
    }
  }

  /**
   * Sends a handshake initiation unless one went out less than REKEY_TIMEOUT ago (wireguard-go's
   * SendHandshakeInitiation).
   */
  void sendHandshakeInitiation(boolean isRetry) {
    if (!isRetry) {
      timers.resetHandshakeAttempts();
    }
    if (!timers.handshakeInitiationAllowed() || !device.isUp()) {
      return;
    }
    Endpoint ep = endpoint;
    if (ep == null) {
      return;
    }
    byte[] msg;
    synchronized (this) {
      int old = handshakeIndex;
      if (old != 0) {
        device.indices.delete(old, this);
      }
      int index = device.indices.insertNew(this);
      var created = handshake.createMessageInitiation(device.identity(), index, device.clock);
      if (created.isEmpty()) {
        device.indices.delete(index, this);
        handshakeIndex = 0;
        return;
      }
      handshakeIndex = index;
      msg = created.get();
      cookieGenerator.addMacs(msg);
    }
    LOG.log(Level.FINE, () -> this + ": sending handshake initiation");
    device.events.count("initiation sent");
    timers.anyAuthenticatedPacketTraversal();
    if (device.sendDatagram(msg, 0, msg.length, ep)) {
      timers.anyAuthenticatedPacketSent();
    }
    timers.handshakeInitiated(isRetry);
  }

  // ---- handshake completion ----

  /** After we created a response: derive the session (responder) and send the response. */
  void respond(Endpoint source) {
    byte[] msg;
    Keypair kp;
    synchronized (this) {
      int index = device.indices.insertNew(this);
      var created = handshake.createMessageResponse(index);
      if (created.isEmpty()) {
        device.indices.delete(index, this);
        return;
      }
      msg = created.get();
      cookieGenerator.addMacs(msg);
      var derived = handshake.beginSymmetricSession(device.clock);
      if (derived.isEmpty()) {
        device.indices.delete(index, this);
        return;
      }
      kp = derived.get();
      device.indices.swap(index, this, new Session(this, kp));
      forget(keypairs.install(kp));
    }
    timers.sessionDerived();
    timers.anyAuthenticatedPacketTraversal();
    device.events.count("response sent");
    if (device.sendDatagram(msg, 0, msg.length, source)) {
      timers.anyAuthenticatedPacketSent();
    }
  }

  /** After consuming a response (initiator): derive the session, confirm it, send what waits. */
  void responseConsumed() {
    synchronized (this) {
      var derived = handshake.beginSymmetricSession(device.clock);
      if (derived.isEmpty()) {
        return;
      }
      Keypair kp = derived.get();
      device.indices.swap(handshakeIndex, this, new Session(this, kp));
      handshakeIndex = 0;
      forget(keypairs.install(kp));
    }
    timers.sessionDerived();
    timers.handshakeComplete();
    lastHandshake = device.clock.wallTime();
    device.events.count("response consumed");
    synchronized (staged) {
      if (staged.isEmpty()) {
        // Confirm the session to the responder at once (whitepaper §6.1).
        staged.addLast(new byte[MESSAGE_TRANSPORT_HEADER_SIZE]);
      }
    }
    sendStaged();
  }

  private void forget(List<Keypair> dropped) {
    dropped.forEach(this::forget);
  }

  private void forget(Keypair k) {
    device.indices.delete(k.localIndex(), new Session(this, k));
  }

  // ---- receive path ----

  /** The ordered queue's delivery: checks, accounts and writes decrypted packets in order. */
  void deliverInbound(InboundJob job) {
    if (job.plaintextLength < 0) {
      device.counters.dropped("authentication failed");
      return;
    }
    Keypair kp = job.keypair;
    if (!kp.validateCounter(job.counter)) {
      device.counters.dropped("replayed");
      return;
    }
    if (keypairs.received(kp, this::forget)) {
      // The first packet under the session we responded to: the handshake is complete.
      device.events.count("session confirmed");
      timers.handshakeComplete();
      lastHandshake = device.clock.wallTime();
      sendStaged();
    }
    // Roaming: the latest authenticated source is where the peer is.
    Endpoint src = job.source;
    Endpoint cur = endpoint;
    if (cur == null || !cur.equals(src)) {
      endpoint = src;
    }
    rxBytes.addAndGet(job.datagramLength);
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketReceived();
    long now = device.clock.nanoTime();
    if (keypairs.current() == kp
        && !timers.sentLastMinuteHandshake()
        && KeyFreshness.needsRekeyOnReceive(
            device.timing, kp.createdNanos(), kp.isInitiator(), now)) {
      timers.markLastMinuteHandshakeSent();
      sendHandshakeInitiation(false);
    }
    if (job.plaintextLength == 0) {
      return; // keepalive
    }
    int off = MESSAGE_TRANSPORT_HEADER_SIZE;
    int len = IpPackets.innerLength(job.buf, off, job.plaintextLength);
    if (len < 0) {
      device.counters.dropped("not an IP packet");
      return;
    }
    if (device.allowedIps.lookupSource(job.buf, off) != this) {
      device.counters.dropped("source not in allowed IPs");
      return;
    }
    timers.dataReceived();
    device.writeTun(job.buf, off, len);
  }

  // ---- timers ----

  /** Runs whatever the expired timers ask for. Called by the device's timer thread. */
  void tick() {
    for (TimerAction a : timers.poll()) {
      switch (a) {
        case TimerAction.SendKeepalive k -> sendKeepalive();
        case TimerAction.SendPersistentKeepalive k -> sendKeepalive();
        case TimerAction.InitiateHandshake h -> {
          if (h.isRetry()) {
            // A retry may use a fresh endpoint: clear the sticky source like wireguard-go does.
            Endpoint ep = endpoint;
            if (ep != null && ep.source() != null) {
              endpoint = ep.withSource(null);
            }
          }
          sendHandshakeInitiation(h.isRetry());
        }
        case TimerAction.HandshakeGaveUp g -> {
          synchronized (staged) {
            staged.clear();
          }
          LOG.log(Level.FINE, () -> this + ": handshake did not complete, giving up");
        }
        case TimerAction.ZeroKeyMaterial z -> zeroKeyMaterial();
      }
    }
  }

  /**
   * The device's private key changed: every session is void, and a handshake may start at once
   * (wireguard-go's ExpireCurrentKeypairs).
   */
  void expireCurrentKeypairs() {
    zeroKeyMaterial();
    timers.allowHandshakeInitiationNow();
  }

  /** Forgets every session and handshake secret (3 x REJECT_AFTER_TIME without a new session). */
  void zeroKeyMaterial() {
    synchronized (this) {
      forget(keypairs.clear());
      if (handshakeIndex != 0) {
        device.indices.delete(handshakeIndex, this);
        handshakeIndex = 0;
      }
      handshake.clear();
    }
  }

  /** The peer goes away (removed, or the device closes). */
  void stop() {
    timers.stop();
    zeroKeyMaterial();
    synchronized (staged) {
      staged.clear();
    }
  }

  @Override
  public String toString() {
    String k = publicKey.toBase64();
    return "peer(" + k.substring(0, 4) + "…" + k.substring(39, 43) + ")";
  }
}
