package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.KeyFreshness;
import dev.wiremesh.wireguard.timers.PeerTimers;
import dev.wiremesh.wireguard.timers.TimerAction;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One peer's protocol, without I/O: its handshake, keypairs, timers, endpoint, staged packets and
 * counters, and every decision the whitepaper makes about them. Each call returns what the caller
 * must do ({@link Step}s: seal a packet; {@link Output}s: send a datagram where, deliver a packet,
 * count a drop).
 *
 * <p>These are the fine-grained steps a device with a parallel pipeline needs: {@link #stage} and
 * {@link #prepareOutbound} return {@link Step.Seal} jobs to seal on worker threads and hand back,
 * in counter order, to {@link #transmitted}; {@link #inbound} makes a job to open on a worker and
 * pass, in arrival order, to {@link #receiveAuthenticated}. {@link Tunnel} puts the same steps
 * together as boringtun's synchronous {@code encapsulate}, {@code decapsulate} and {@code
 * update_timers}. Thread-safe.
 *
 * @param <E> the endpoint type (the device's carries a sticky source address)
 */
public final class PeerSession<E> {
  /** Packets waiting for a session (wireguard-go's QueueStagedSize). */
  public static final int QUEUE_STAGED_SIZE = 128;

  private volatile NoisePublicKey remoteStatic;
  private final SessionContext<E> context;
  private final SourceFilter allowedSource;
  private final PeerKeys keys;
  private final PeerTimers timers;
  private final ArrayDeque<Outbound> staged = new ArrayDeque<>();
  private final AtomicLong rxBytes = new AtomicLong();
  private final AtomicLong txBytes = new AtomicLong();
  private volatile E endpoint;
  // When an authenticated packet last came from the endpoint (monotonic nanos), NEVER while the
  // endpoint is only configured: what the operator's NAT traversal may believe
  // (docs/nat-traversal).
  private static final long NEVER = Long.MIN_VALUE;
  private volatile long endpointSeenNanos = NEVER;
  private volatile int persistentKeepalive;
  private volatile Instant lastHandshake;
  private final java.util.concurrent.atomic.AtomicLong handshakesCompleted =
      new java.util.concurrent.atomic.AtomicLong();

  /** Whether an IP packet's inner source address belongs to this peer (its allowed IPs). */
  @FunctionalInterface
  public interface SourceFilter {
    boolean allows(byte[] packet, int offset);
  }

  public PeerSession(
      NoisePublicKey remoteStatic, SessionContext<E> context, SourceFilter allowedSource) {
    this.remoteStatic = remoteStatic;
    this.context = context;
    this.allowedSource = allowedSource;
    this.keys = new PeerKeys(this, remoteStatic, context);
    this.timers = new PeerTimers(context.clock(), context.timing(), new SplittableRandom());
  }

  // ---- configuration and state ----

  public NoisePublicKey remoteStatic() {
    return remoteStatic;
  }

  public E endpoint() {
    return endpoint;
  }

  /**
   * Configures the endpoint; another one than the current counts as seen only once an authenticated
   * packet comes from it.
   */
  public void setEndpoint(E e) {
    if (!java.util.Objects.equals(e, endpoint)) {
      endpointSeenNanos = NEVER;
    }
    endpoint = e;
  }

  /**
   * When the last authenticated packet (a handshake message that passed its checks, or a transport
   * message that decrypted and was not a replay) came from {@link #endpoint()}; empty while the
   * endpoint is only the configured one. Roaming is the only way an endpoint becomes seen: a packet
   * that fails authentication never moves the endpoint nor refreshes this.
   */
  public Optional<Instant> endpointSeen() {
    long seen = endpointSeenNanos;
    if (seen == NEVER) {
      return Optional.empty();
    }
    long age = context.clock().nanoTime() - seen;
    return Optional.of(context.clock().wallTime().minusNanos(Math.max(0, age)));
  }

  // Roaming (whitepaper §2.1): the latest authenticated source is where the peer is.
  private void roamTo(E source, long nowNanos) {
    endpoint = source;
    endpointSeenNanos = nowNanos;
  }

  public int persistentKeepalive() {
    return persistentKeepalive;
  }

  /** Sets the persistent keepalive interval; turning it on sends a keepalive at once. */
  public List<Step<E>> setPersistentKeepalive(int seconds) {
    persistentKeepalive = seconds;
    List<Step<E>> out = new ArrayList<>();
    for (TimerAction a : timers.persistentKeepaliveChanged(seconds)) {
      if (a instanceof TimerAction.SendKeepalive) {
        out.addAll(sendKeepalive());
      }
    }
    return out;
  }

  public PresharedKey presharedKey() {
    return keys.handshake.presharedKey();
  }

  public void setPresharedKey(PresharedKey psk) {
    keys.handshake.setPresharedKey(psk);
  }

  /** The interface's static key changed. */
  public void setLocalIdentity(LocalIdentity identity) {
    keys.handshake.setLocalIdentity(identity);
  }

  /**
   * Initiates with {@code identity}, one of the interface's static keys, from now on (during a key
   * rotation: the key this peer knows); sessions and the handshake in progress go on.
   */
  public void useLocalIdentity(LocalIdentity identity) {
    keys.handshake.useLocalIdentity(identity);
  }

  /** The interface's static key this peer is initiated with. */
  public LocalIdentity localIdentity() {
    return keys.handshake.localIdentity();
  }

  /** The interface's static key of the last handshake completed with this peer, or null. */
  public LocalIdentity lastHandshakeIdentity() {
    return keys.handshake.completedAs();
  }

  /**
   * The peer rotated its static key: from now on it is {@code next} (handshakes, MACs, lookups),
   * while its current sessions carry traffic on until the next handshake replaces them. Nothing is
   * dropped: no remove-and-add.
   */
  public void rekeyRemote(NoisePublicKey next) {
    keys.rekeyRemote(next);
    remoteStatic = next;
  }

  /** Handshakes completed with this peer, as initiator or responder (for metrics). */
  public long handshakesCompleted() {
    return handshakesCompleted.get();
  }

  public Instant lastHandshake() {
    return lastHandshake;
  }

  public long rxBytes() {
    return rxBytes.get();
  }

  public long txBytes() {
    return txBytes.get();
  }

  /** The keypairs (for tests and diagnostics). */
  public Keypairs keypairs() {
    return keys.keypairs;
  }

  /** Packets waiting for a session. */
  public int stagedCount() {
    synchronized (staged) {
      return staged.size();
    }
  }

  // ---- send path (fine-grained steps) ----

  /**
   * Queues the outbound IP packet {@code buf[16, 16 + length)} (the first 16 bytes are room for the
   * transport header; the session owns {@code buf} from now on) and passes what can go to {@code
   * out}. When the staged queue is full the oldest packet is dropped.
   */
  public void stage(byte[] buf, int length, Consumer<? super Step<E>> out) {
    boolean full;
    synchronized (staged) {
      full = staged.size() >= QUEUE_STAGED_SIZE;
      if (full) {
        staged.pollFirst();
      }
      staged.addLast(new Outbound(buf, length));
    }
    if (full) {
      out.accept(new Output.Dropped<>("staged queue full"));
    }
    prepareOutbound(out);
  }

  /** A keepalive (an empty transport message), unless packets are waiting anyway. */
  public List<Step<E>> sendKeepalive() {
    synchronized (staged) {
      if (staged.isEmpty()) {
        staged.addLast(Outbound.keepalive());
      }
    }
    return prepareOutbound();
  }

  /**
   * Gives every staged packet a keypair and counter if a session allows it ({@link Step.Seal}s);
   * otherwise starts a handshake. Starts one too when the current session is due for a rekey.
   */
  public List<Step<E>> prepareOutbound() {
    List<Step<E>> out = new ArrayList<>();
    prepareOutbound(out::add);
    return out;
  }

  private void prepareOutbound(Consumer<? super Step<E>> out) {
    long now = context.clock().nanoTime();
    Keypair kp = keys.keypairs.current();
    boolean usable =
        kp != null
            && !kp.isExpired()
            && KeyFreshness.usableForSending(
                context.timing(), kp.createdNanos(), kp.sendCount(), now);
    if (usable
        && KeyFreshness.needsRekeyOnSend(
            context.timing(), kp.createdNanos(), kp.isInitiator(), kp.sendCount(), now)) {
      sendHandshakeInitiation(false, out);
    }
    if (!usable) {
      synchronized (staged) {
        if (staged.isEmpty()) {
          return;
        }
      }
      sendHandshakeInitiation(false, out);
      return;
    }
    while (true) {
      Outbound packet;
      synchronized (staged) {
        packet = staged.peekFirst();
        if (packet == null) {
          return;
        }
        long counter = kp.nextSendCounter();
        if (counter < 0) {
          sendHandshakeInitiation(false, out);
          return;
        }
        staged.pollFirst();
        packet.assign(kp, counter);
      }
      out.accept(new Step.Seal<>(packet));
    }
  }

  /**
   * A sealed packet, in counter order: accounts for it and says where it goes; an unsealed one (its
   * worker failed or was full) is dropped.
   */
  public Output<E> transmitted(Outbound job) {
    if (!job.isSealed()) {
      return new Output.Dropped<>("not sealed");
    }
    E ep = endpoint;
    if (ep == null) {
      return new Output.Dropped<>("no endpoint");
    }
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketSent();
    if (!job.isKeepalive()) {
      timers.dataSent();
    }
    txBytes.addAndGet(job.datagramLength());
    return new Output.SendDatagram<>(job.buffer(), job.datagramLength(), ep);
  }

  /**
   * Sends a handshake initiation unless one went out less than REKEY_TIMEOUT ago (wireguard-go's
   * SendHandshakeInitiation).
   */
  private void sendHandshakeInitiation(boolean isRetry, Consumer<? super Step<E>> out) {
    if (!isRetry) {
      timers.resetHandshakeAttempts();
    }
    E ep = endpoint;
    if (!timers.handshakeInitiationAllowed() || ep == null) {
      return;
    }
    byte[] msg = keys.createInitiation();
    if (msg == null) {
      return;
    }
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketSent();
    timers.handshakeInitiated(isRetry);
    out.accept(new Output.SendDatagram<>(msg, msg.length, ep));
  }

  // ---- handshake messages (fine-grained steps) ----

  /**
   * Finds the peer an initiation (MACs already checked) comes from and consumes it into that peer's
   * handshake (boringtun's parse_handshake_anon); the caller then calls {@link #respond}.
   *
   * @param lookup the session of a peer, by static public key; null if unknown
   * @return the session, or empty if the initiation is refused (unknown peer, replayed timestamp,
   *     flood, bad crypto)
   */
  public static <E> Optional<PeerSession<E>> consumeInitiation(
      LocalIdentity id,
      byte[] msg,
      Function<NoisePublicKey, PeerSession<E>> lookup,
      SessionContext<E> context) {
    List<PeerSession<E>> found = new ArrayList<>(1);
    var hs =
        Handshake.consumeMessageInitiation(
            id,
            msg,
            k -> {
              PeerSession<E> p = lookup.apply(k);
              if (p != null) {
                found.add(p);
              }
              return p == null ? null : p.keys.handshake;
            },
            context.clock());
    return hs.isEmpty() || found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /**
   * After {@link #consumeInitiation}: the initiator is at {@code source}; derive our session as
   * responder (it waits as the candidate until the initiator sends under it) and answer.
   */
  public List<Step<E>> respond(E source) {
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketReceived();
    roamTo(source, context.clock().nanoTime());
    byte[] msg = keys.createResponse();
    if (msg == null) {
      return List.of(new Output.Dropped<>("initiation refused"));
    }
    timers.sessionDerived();
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketSent();
    return List.of(new Output.SendDatagram<>(msg, msg.length, source));
  }

  /**
   * A response (MACs already checked) to our pending initiation: derive the session as initiator,
   * confirm it at once (whitepaper §6.1) and send what waits.
   */
  public List<Step<E>> consumeResponse(byte[] msg, E source) {
    if (!keys.consumeResponse(msg)) {
      return List.of(new Output.Dropped<>("response refused"));
    }
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketReceived();
    roamTo(source, context.clock().nanoTime());
    timers.sessionDerived();
    timers.handshakeComplete();
    lastHandshake = context.clock().wallTime();
    handshakesCompleted.incrementAndGet();
    synchronized (staged) {
      if (staged.isEmpty()) {
        // Confirm the session to the responder at once (whitepaper §6.1).
        staged.addLast(Outbound.keepalive());
      }
    }
    return prepareOutbound();
  }

  /**
   * A cookie reply to one of our messages (the device checked nothing): true if it named one of our
   * indices and decrypted, so the next handshake message carries a MAC2. A cookie reply never
   * changes the endpoint.
   */
  public boolean consumeCookieReply(byte[] msg) {
    return keys.consumeCookieReply(msg);
  }

  // ---- receive path (fine-grained steps) ----

  /**
   * A transport message (type and size already checked) whose receiver index names a keypair in
   * {@code indices}: the job to open on a worker, or null if the index names no keypair.
   */
  @SuppressWarnings("unchecked") // a device's table holds sessions of its own endpoint type only
  public static <E> Inbound<E> inbound(IndexTable<Object> indices, byte[] msg, int len, E source) {
    if (!(indices.lookup(getInt(msg, TRANSPORT_RECEIVER)) instanceof SessionIndex s)) {
      return null;
    }
    return new Inbound<>((PeerSession<E>) s.session(), s.keypair(), msg, len, source);
  }

  /**
   * An opened transport message, in arrival order: drops it if it did not authenticate or is a
   * replay; confirms the responder's candidate session; roams to its source; rekeys if the session
   * is old; and delivers its IP packet if the inner source is one of the peer's allowed IPs. What
   * to do goes to {@code out}; the message's buffer is free again when this returns and {@code out}
   * has written the packet it was handed.
   */
  public void receiveAuthenticated(Inbound<E> job, Consumer<? super Step<E>> out) {
    int plaintextLength = job.plaintextLength();
    if (plaintextLength < 0) {
      out.accept(new Output.Dropped<>("authentication failed"));
      return;
    }
    Keypair kp = job.keypair;
    if (!kp.validateCounter(job.counter)) {
      out.accept(new Output.Dropped<>("replayed"));
      return;
    }
    if (keys.received(kp)) {
      // The first packet under the session we responded to: the handshake is complete.
      timers.handshakeComplete();
      lastHandshake = context.clock().wallTime();
      handshakesCompleted.incrementAndGet();
      prepareOutbound(out);
    }
    long now = context.clock().nanoTime();
    roamTo(job.source, now);
    rxBytes.addAndGet(job.datagramLength);
    timers.anyAuthenticatedPacketTraversal();
    timers.anyAuthenticatedPacketReceived();
    if (keys.keypairs.current() == kp
        && !timers.sentLastMinuteHandshake()
        && KeyFreshness.needsRekeyOnReceive(
            context.timing(), kp.createdNanos(), kp.isInitiator(), now)) {
      timers.markLastMinuteHandshakeSent();
      sendHandshakeInitiation(false, out);
    }
    if (plaintextLength == 0) {
      return; // keepalive
    }
    int off = MESSAGE_TRANSPORT_HEADER_SIZE;
    int len = IpPackets.innerLength(job.buf, off, plaintextLength);
    if (len < 0) {
      out.accept(new Output.Dropped<>("not an IP packet"));
      return;
    }
    if (!allowedSource.allows(job.buf, off)) {
      out.accept(new Output.Dropped<>("source not in allowed IPs"));
      return;
    }
    timers.dataReceived();
    out.accept(new Output.DeliverPacket<>(job.buf, off, len));
  }

  // ---- timers ----

  /** Runs whatever the expired timers ask for (see {@link Tunnel#updateTimers}). */
  public List<Step<E>> tick() {
    List<Step<E>> out = new ArrayList<>();
    for (TimerAction a : timers.poll()) {
      switch (a) {
        case TimerAction.SendKeepalive k -> out.addAll(sendKeepalive());
        case TimerAction.SendPersistentKeepalive k -> out.addAll(sendKeepalive());
        case TimerAction.InitiateHandshake h -> {
          if (h.isRetry()) {
            E ep = endpoint;
            if (ep != null) {
              endpoint = context.retryEndpoint().apply(ep);
            }
            // Unanswered while the interface holds two static keys (a rotation): perhaps the
            // peer knows the other one.
            LocalIdentity other = context.otherIdentity().apply(localIdentity());
            if (other != null) {
              useLocalIdentity(other);
            }
          }
          sendHandshakeInitiation(h.isRetry(), out::add);
        }
        case TimerAction.HandshakeGaveUp g -> {
          int n;
          synchronized (staged) {
            n = staged.size();
            staged.clear();
          }
          for (int i = 0; i < n; i++) {
            out.add(new Output.Dropped<>("handshake gave up"));
          }
        }
        case TimerAction.ZeroKeyMaterial z -> zeroKeyMaterial();
      }
    }
    return out;
  }

  /**
   * The interface's private key changed: every session is void, and a handshake may start at once
   * (wireguard-go's ExpireCurrentKeypairs).
   */
  public void expireCurrentKeypairs() {
    zeroKeyMaterial();
    timers.allowHandshakeInitiationNow();
  }

  /** Forgets every session and handshake secret (3 x REJECT_AFTER_TIME without a new session). */
  public void zeroKeyMaterial() {
    keys.zero();
  }

  /** The peer goes away: timers stop, secrets are forgotten, staged packets dropped. */
  public void stop() {
    timers.stop();
    zeroKeyMaterial();
    synchronized (staged) {
      staged.clear();
    }
  }

  @Override
  public String toString() {
    String k = remoteStatic.toBase64();
    return "peer(" + k.substring(0, 4) + "…" + k.substring(39, 43) + ")";
  }
}
