package dev.wiremesh.wireguard.noise;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.crypto.Blake2s;
import dev.wiremesh.wireguard.crypto.ChaCha20Poly1305;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.crypto.PresharedKey;
import dev.wiremesh.wireguard.crypto.Tai64n;
import dev.wiremesh.wireguard.crypto.X25519;
import dev.wiremesh.wireguard.session.Keypair;
import dev.wiremesh.wireguard.timers.Clock;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One peer's side of Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s (whitepaper §5.4): the handshake state
 * (chaining key, hash, ephemeral) between messages, the static-static DH precomputed, and the
 * greatest timestamp and the time of the last initiation accepted from the peer. Each method is one
 * step of the whitepaper, named as wireguard-go names it. Thread-safe (every step holds the lock).
 */
public final class Handshake {
  /** wireguard-go's HandshakeInitationRate: at most one initiation per peer per 20 ms. */
  static final long HANDSHAKE_INITIATION_RATE_NANOS = 20_000_000L;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where the handshake stands. */
  public enum State {
    ZEROED,
    INITIATION_CREATED,
    INITIATION_CONSUMED,
    RESPONSE_CREATED,
    RESPONSE_CONSUMED
  }

  private NoisePublicKey remoteStatic; // replaced in place when the peer rotates its key
  private PresharedKey presharedKey = PresharedKey.none();
  private LocalIdentity local; // the static key we initiate with (during a rotation: per peer)
  private byte[] precomputedStaticStatic; // DH(local, remote); null: no handshake possible
  private LocalIdentity handshakeAs; // the static key of the handshake in progress
  private LocalIdentity completedAs; // the static key of the last handshake that made a keypair
  private State state = State.ZEROED;
  private byte[] hash;
  private byte[] chainKey;
  private NoisePrivateKey localEphemeral;
  private byte[] remoteEphemeral;
  private int localIndex;
  private int remoteIndex;
  private byte[] lastTimestamp = new byte[Tai64n.LENGTH];
  private long lastInitiationConsumption;
  private boolean consumedAny;

  public Handshake(NoisePublicKey remoteStatic, LocalIdentity local) {
    this.remoteStatic = remoteStatic;
    setLocalIdentity(local);
  }

  public synchronized NoisePublicKey remoteStatic() {
    return remoteStatic;
  }

  /** Recomputes DH(S_local, S_remote) for a new local identity (or none) and drops any state. */
  public synchronized void setLocalIdentity(LocalIdentity local) {
    precompute(local, remoteStatic);
    completedAs = null;
    clear();
  }

  /**
   * Initiates with {@code local} from now on (one of the interface's two static keys during a key
   * rotation), keeping the handshake in progress: it finishes under the key it started with.
   */
  public synchronized void useLocalIdentity(LocalIdentity local) {
    if (!sameKey(this.local, local)) {
      precompute(local, remoteStatic);
    }
  }

  /** The static key we initiate with, or null without one. */
  public synchronized LocalIdentity localIdentity() {
    return local;
  }

  /** The static key the last completed handshake used (initiated with or addressed), or null. */
  public synchronized LocalIdentity completedAs() {
    return completedAs;
  }

  /**
   * The peer rotated its static key: its entry takes {@code next} in place. Keypairs live outside
   * the handshake, so current sessions go on; our pending initiation stays answerable (completing
   * it does not use the remote static key); half-answered state of an initiation from the old key
   * is dropped (its response would not verify).
   */
  public synchronized void rekeyRemote(NoisePublicKey next) {
    precompute(local, next);
    remoteStatic = next;
    if (state == State.INITIATION_CONSUMED || state == State.RESPONSE_CREATED) {
      clear();
    }
  }

  private void precompute(LocalIdentity local, NoisePublicKey remote) {
    zero(precomputedStaticStatic);
    this.local = local;
    precomputedStaticStatic =
        local == null ? null : X25519.dh(local.privateKey(), remote).orElse(null);
  }

  private static boolean sameKey(LocalIdentity a, LocalIdentity b) {
    return a == null ? b == null : b != null && a.publicKey().equals(b.publicKey());
  }

  /** DH(S_as, S_remote): the precomputed one when {@code as} is our initiating key. */
  private byte[] staticStatic(LocalIdentity as) {
    if (sameKey(as, local)) {
      return precomputedStaticStatic;
    }
    return X25519.dh(as.privateKey(), remoteStatic).orElse(null);
  }

  public synchronized void setPresharedKey(PresharedKey psk) {
    this.presharedKey = psk == null ? PresharedKey.none() : psk;
  }

  public synchronized PresharedKey presharedKey() {
    return presharedKey;
  }

  /** False when the remote static key is a low-order point (or we have no private key). */
  public synchronized boolean canHandshake() {
    return precomputedStaticStatic != null;
  }

  public synchronized State state() {
    return state;
  }

  public synchronized int localIndex() {
    return localIndex;
  }

  /** The greatest TAI64N timestamp accepted from this peer (tests and diagnostics). */
  synchronized byte[] lastTimestamp() {
    return lastTimestamp.clone();
  }

  synchronized byte[] chainKeyForTest() {
    return chainKey == null ? null : chainKey.clone();
  }

  synchronized byte[] hashForTest() {
    return hash == null ? null : hash.clone();
  }

  /** Zeroes the handshake's secrets and returns to {@link State#ZEROED}. */
  public synchronized void clear() {
    zero(hash);
    zero(chainKey);
    zero(remoteEphemeral);
    if (localEphemeral != null) {
      localEphemeral.destroy();
    }
    hash = chainKey = remoteEphemeral = null;
    localEphemeral = null;
    localIndex = 0;
    remoteIndex = 0;
    handshakeAs = null;
    state = State.ZEROED;
  }

  private static void zero(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }

  // chainKey = KDF1(chainKey, data)
  private void mixKey(byte[] data) {
    byte[] next = Blake2s.kdf(1, chainKey, data)[0];
    zero(chainKey);
    chainKey = next;
  }

  // hash = HASH(hash ‖ data)
  private void mixHash(byte[] data) {
    hash = Blake2s.hash(hash, data);
  }

  private static byte[] slice(byte[] b, int off, int len) {
    return Arrays.copyOfRange(b, off, off + len);
  }

  /**
   * Creates a handshake initiation (148 bytes, MAC fields zero: the cookie generator fills them).
   *
   * @return empty when no handshake is possible (no private key, or a low-order peer key)
   */
  public synchronized Optional<byte[]> createMessageInitiation(
      LocalIdentity local, int senderIndex, Clock clock) {
    if (local == null) {
      return Optional.empty();
    }
    byte[] staticStatic = staticStatic(local);
    if (staticStatic == null) {
      return Optional.empty();
    }
    clear();
    byte[] msg = new byte[MESSAGE_INITIATION_SIZE];
    putInt(msg, 0, MESSAGE_INITIATION_TYPE);
    putInt(msg, INIT_SENDER, senderIndex);
    chainKey = Noise.initialChainKey();
    hash = Noise.initialHash();
    // H = HASH(H ‖ S_r.pub)
    mixHash(remoteStatic.toBytes());
    localEphemeral = NoisePrivateKey.generate(RANDOM);
    byte[] ephemeralPub = localEphemeral.publicKey().toBytes();
    System.arraycopy(ephemeralPub, 0, msg, INIT_EPHEMERAL, 32);
    // C = KDF1(C, E_i.pub); H = HASH(H ‖ E_i.pub)
    mixKey(ephemeralPub);
    mixHash(ephemeralPub);
    // (C, k) = KDF2(C, DH(E_i, S_r.pub))
    Optional<byte[]> es = X25519.dh(localEphemeral, remoteStatic);
    if (es.isEmpty()) {
      clear();
      return Optional.empty();
    }
    byte[][] ck = Blake2s.kdf(2, chainKey, es.get());
    zero(es.get());
    chainKey = ck[0];
    // msg.static = AEAD(k, 0, S_i.pub, H); H = HASH(H ‖ msg.static)
    byte[] encStatic = ChaCha20Poly1305.seal(ck[1], 0, local.publicKey().toBytes(), hash);
    zero(ck[1]);
    System.arraycopy(encStatic, 0, msg, INIT_STATIC, encStatic.length);
    mixHash(encStatic);
    // (C, k) = KDF2(C, DH(S_i, S_r.pub)), precomputed
    ck = Blake2s.kdf(2, chainKey, staticStatic);
    if (staticStatic != precomputedStaticStatic) {
      zero(staticStatic);
    }
    chainKey = ck[0];
    // msg.timestamp = AEAD(k, 0, TAI64N(), H); H = HASH(H ‖ msg.timestamp)
    byte[] encTimestamp = ChaCha20Poly1305.seal(ck[1], 0, Tai64n.of(clock.wallTime()), hash);
    zero(ck[1]);
    System.arraycopy(encTimestamp, 0, msg, INIT_TIMESTAMP, encTimestamp.length);
    mixHash(encTimestamp);
    localIndex = senderIndex;
    handshakeAs = local;
    state = State.INITIATION_CREATED;
    return Optional.of(msg);
  }

  /**
   * Consumes an initiation (whose MACs the caller has checked): decrypts the initiator's static
   * key, finds its handshake with {@code lookup}, and accepts it only if its timestamp is newer
   * than any seen from that peer (CVE-2021-46873 is why this must hold across restarts of the
   * initiator) and the peer's last initiation was at least 20 ms ago. {@code local} is the static
   * key the initiation addressed (during a key rotation, either of the interface's two, as MAC1
   * tells); once accepted, the peer is initiated with that key too, as it evidently knows it.
   *
   * @return the peer's handshake, now in {@link State#INITIATION_CONSUMED}, or empty if refused
   */
  public static Optional<Handshake> consumeMessageInitiation(
      LocalIdentity local, byte[] msg, Function<NoisePublicKey, Handshake> lookup, Clock clock) {
    if (local == null || msg.length != MESSAGE_INITIATION_SIZE) {
      return Optional.empty();
    }
    byte[] hash = Noise.initialHash();
    byte[] chainKey = Noise.initialChainKey();
    // H = HASH(H ‖ S_r.pub)
    hash = Blake2s.hash(hash, local.publicKey().toBytes());
    byte[] ephemeral = slice(msg, INIT_EPHEMERAL, 32);
    // C = KDF1(C, E_i.pub); H = HASH(H ‖ E_i.pub)
    chainKey = Blake2s.kdf(1, chainKey, ephemeral)[0];
    hash = Blake2s.hash(hash, ephemeral);
    // (C, k) = KDF2(C, DH(S_r, E_i.pub))
    Optional<byte[]> es = X25519.dh(local.privateKey(), new NoisePublicKey(ephemeral));
    if (es.isEmpty()) {
      return Optional.empty();
    }
    byte[][] ck = Blake2s.kdf(2, chainKey, es.get());
    zero(es.get());
    chainKey = ck[0];
    byte[] encStatic = slice(msg, INIT_STATIC, 48);
    byte[] peerStatic = ChaCha20Poly1305.open(ck[1], 0, encStatic, hash);
    zero(ck[1]);
    if (peerStatic == null) {
      return Optional.empty();
    }
    hash = Blake2s.hash(hash, encStatic);
    Handshake hs = lookup.apply(new NoisePublicKey(peerStatic));
    if (hs == null) {
      return Optional.empty();
    }
    synchronized (hs) {
      byte[] staticStatic = hs.staticStatic(local);
      if (staticStatic == null) {
        return Optional.empty();
      }
      // (C, k) = KDF2(C, DH(S_r, S_i.pub)), precomputed
      ck = Blake2s.kdf(2, chainKey, staticStatic);
      if (staticStatic != hs.precomputedStaticStatic) {
        zero(staticStatic);
      }
      chainKey = ck[0];
      byte[] encTimestamp = slice(msg, INIT_TIMESTAMP, 28);
      byte[] timestamp = ChaCha20Poly1305.open(ck[1], 0, encTimestamp, hash);
      zero(ck[1]);
      if (timestamp == null) {
        return Optional.empty();
      }
      hash = Blake2s.hash(hash, encTimestamp);
      boolean replay = !Tai64n.after(timestamp, hs.lastTimestamp);
      long now = clock.nanoTime();
      boolean flood =
          hs.consumedAny && now - hs.lastInitiationConsumption <= HANDSHAKE_INITIATION_RATE_NANOS;
      if (replay || flood) {
        return Optional.empty();
      }
      hs.clear();
      hs.useLocalIdentity(local);
      hs.handshakeAs = local;
      hs.hash = hash;
      hs.chainKey = chainKey;
      hs.remoteIndex = getInt(msg, INIT_SENDER);
      hs.remoteEphemeral = ephemeral;
      hs.lastTimestamp = timestamp;
      hs.lastInitiationConsumption = now;
      hs.consumedAny = true;
      hs.state = State.INITIATION_CONSUMED;
      return Optional.of(hs);
    }
  }

  /**
   * Creates the response (92 bytes, MAC fields zero) to the initiation just consumed.
   *
   * @return empty unless an initiation was consumed, or if a DH result is zero
   */
  public synchronized Optional<byte[]> createMessageResponse(int senderIndex) {
    if (state != State.INITIATION_CONSUMED) {
      return Optional.empty();
    }
    byte[] msg = new byte[MESSAGE_RESPONSE_SIZE];
    putInt(msg, 0, MESSAGE_RESPONSE_TYPE);
    putInt(msg, RESP_SENDER, senderIndex);
    putInt(msg, RESP_RECEIVER, remoteIndex);
    localEphemeral = NoisePrivateKey.generate(RANDOM);
    byte[] ephemeralPub = localEphemeral.publicKey().toBytes();
    System.arraycopy(ephemeralPub, 0, msg, RESP_EPHEMERAL, 32);
    // C = KDF1(C, E_r.pub); H = HASH(H ‖ E_r.pub)
    mixHash(ephemeralPub);
    mixKey(ephemeralPub);
    // C = KDF1(C, DH(E_r, E_i.pub))
    Optional<byte[]> ee = X25519.dh(localEphemeral, new NoisePublicKey(remoteEphemeral));
    // C = KDF1(C, DH(E_r, S_i.pub))
    Optional<byte[]> se = X25519.dh(localEphemeral, remoteStatic);
    if (ee.isEmpty() || se.isEmpty()) {
      clear();
      return Optional.empty();
    }
    mixKey(ee.get());
    mixKey(se.get());
    zero(ee.get());
    zero(se.get());
    // (C, τ, k) = KDF3(C, Q); H = HASH(H ‖ τ)
    byte[][] ctk = Blake2s.kdf(3, chainKey, presharedKey.toBytes());
    zero(chainKey);
    chainKey = ctk[0];
    mixHash(ctk[1]);
    zero(ctk[1]);
    // msg.empty = AEAD(k, 0, ε, H); H = HASH(H ‖ msg.empty)
    byte[] empty = ChaCha20Poly1305.seal(ctk[2], 0, new byte[0], hash);
    zero(ctk[2]);
    System.arraycopy(empty, 0, msg, RESP_EMPTY, empty.length);
    mixHash(empty);
    localIndex = senderIndex;
    state = State.RESPONSE_CREATED;
    return Optional.of(msg);
  }

  /**
   * Consumes a response (whose MACs the caller has checked) to an initiation we created; {@code
   * lookup} finds the handshake by the receiver index the response names.
   *
   * @return that handshake, now in {@link State#RESPONSE_CONSUMED}, or empty if refused
   */
  public static Optional<Handshake> consumeMessageResponse(
      LocalIdentity local, byte[] msg, IntFunction<Handshake> lookup) {
    if (local == null || msg.length != MESSAGE_RESPONSE_SIZE) {
      return Optional.empty();
    }
    Handshake hs = lookup.apply(getInt(msg, RESP_RECEIVER));
    if (hs == null) {
      return Optional.empty();
    }
    synchronized (hs) {
      if (hs.state != State.INITIATION_CREATED || hs.localIndex != getInt(msg, RESP_RECEIVER)) {
        return Optional.empty();
      }
      byte[] hash = hs.hash.clone();
      byte[] chainKey = hs.chainKey.clone();
      byte[] ephemeral = slice(msg, RESP_EPHEMERAL, 32);
      // H = HASH(H ‖ E_r.pub); C = KDF1(C, E_r.pub)
      hash = Blake2s.hash(hash, ephemeral);
      chainKey = Blake2s.kdf(1, chainKey, ephemeral)[0];
      NoisePublicKey remoteEph = new NoisePublicKey(ephemeral);
      // C = KDF1(C, DH(E_i, E_r.pub))
      Optional<byte[]> ee = X25519.dh(hs.localEphemeral, remoteEph);
      // C = KDF1(C, DH(S_i, E_r.pub)), S_i the static key our initiation used
      Optional<byte[]> se = X25519.dh(hs.handshakeAs.privateKey(), remoteEph);
      if (ee.isEmpty() || se.isEmpty()) {
        return Optional.empty();
      }
      chainKey = Blake2s.kdf(1, chainKey, ee.get())[0];
      chainKey = Blake2s.kdf(1, chainKey, se.get())[0];
      zero(ee.get());
      zero(se.get());
      // (C, τ, k) = KDF3(C, Q); H = HASH(H ‖ τ)
      byte[][] ctk = Blake2s.kdf(3, chainKey, hs.presharedKey.toBytes());
      chainKey = ctk[0];
      hash = Blake2s.hash(hash, ctk[1]);
      byte[] empty = slice(msg, RESP_EMPTY, 16);
      byte[] opened = ChaCha20Poly1305.open(ctk[2], 0, empty, hash);
      zero(ctk[2]);
      if (opened == null) {
        return Optional.empty();
      }
      hash = Blake2s.hash(hash, empty);
      zero(hs.hash);
      zero(hs.chainKey);
      hs.hash = hash;
      hs.chainKey = chainKey;
      hs.remoteIndex = getInt(msg, RESP_SENDER);
      hs.state = State.RESPONSE_CONSUMED;
      return Optional.of(hs);
    }
  }

  /**
   * Derives the session's keypair once the handshake is complete (after creating a response as
   * responder, after consuming one as initiator), then zeroes the handshake's secrets.
   *
   * @return empty if the handshake is not at one of those two points
   */
  public synchronized Optional<Keypair> beginSymmetricSession(Clock clock) {
    boolean isInitiator;
    if (state == State.RESPONSE_CONSUMED) {
      isInitiator = true;
    } else if (state == State.RESPONSE_CREATED) {
      isInitiator = false;
    } else {
      return Optional.empty();
    }
    // initiator: (send, recv) = KDF2(C, ε); responder: (recv, send) = KDF2(C, ε)
    byte[][] keys = Blake2s.kdf(2, chainKey, new byte[0]);
    byte[] send = isInitiator ? keys[0] : keys[1];
    byte[] recv = isInitiator ? keys[1] : keys[0];
    Keypair kp = new Keypair(send, recv, isInitiator, localIndex, remoteIndex, clock.nanoTime());
    zero(keys[0]);
    zero(keys[1]);
    completedAs = handshakeAs;
    clear();
    return Optional.of(kp);
  }
}
