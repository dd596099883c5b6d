package dev.wiremesh.wireguard.device;

import static dev.wiremesh.wireguard.crypto.ChaCha20Poly1305.TAG_LENGTH;
import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.allowedips.AllowedIps;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import dev.wiremesh.wireguard.antireplay.KnownInitiations;
import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.net.Bind;
import dev.wiremesh.wireguard.net.Endpoint;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.ratelimit.RateLimiter;
import dev.wiremesh.wireguard.rotation.StaticKeys;
import dev.wiremesh.wireguard.session.Inbound;
import dev.wiremesh.wireguard.session.IndexTable;
import dev.wiremesh.wireguard.session.PeerSession;
import dev.wiremesh.wireguard.session.SessionContext;
import dev.wiremesh.wireguard.timers.Clock;
import dev.wiremesh.wireguard.timers.ProtocolTiming;
import dev.wiremesh.wireguard.tun.TunDevice;
import dev.wiremesh.wireguard.tun.TunGoneException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A WireGuard interface: a TUN device, a UDP bind, and the peers between them. Threads: one TUN
 * reader, one receiver per UDP socket, one handshake worker, one timer thread, and the fixed pool
 * of {@link CryptoWorkers}. Configuration changes ({@link DeviceConfigurator}) are serialised by
 * the device's lock and never stop the data path.
 */
public final class Device implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Device.class.getName());

  /** How often the timer thread looks at every peer's timers. */
  static final long TICK_MILLIS = 20;

  final Clock clock;
  final ProtocolTiming timing;
  final TunDevice tun;
  final Bind bind;
  final AllowedIps<Peer> allowedIps = new AllowedIps<>();
  final IndexTable<Object> indices = new IndexTable<>();
  final ConcurrentHashMap<NoisePublicKey, Peer> peers = new ConcurrentHashMap<>();
  final DropCounters counters = new DropCounters();
  final DropCounters events = new DropCounters();
  final CryptoWorkers workers;
  final BufferPool buffers = new BufferPool(2 * Peer.QUEUE_ORDERED_SIZE);
  final RateLimiter rateLimiter;
  final RateLimiter cookieReplies; // per source, like rateLimiter: cookie replies sent under load
  final HandshakeQueue<HandshakeReceiver.Message> handshakes;
  final KnownInitiations knownInitiations = new KnownInitiations();
  final SessionContext<Endpoint> sessionContext;
  final Object configLock = new Object();
  private volatile StaticKeys keys; // null without a private key
  private final StaticKeyRotation keyRotation = new StaticKeyRotation(this);
  private volatile int listenPort;
  private volatile int fwmark;
  private volatile int mtu = 1420;
  private volatile boolean closed;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Thread> receivers = new ArrayList<>();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile String terminationReason;

  public Device(TunDevice tun, Bind bind, Clock clock, ProtocolTiming timing) {
    this.tun = tun;
    this.bind = bind;
    this.clock = clock;
    this.timing = timing;
    this.workers = new CryptoWorkers(tun.name(), CryptoWorkers.defaultWorkers(), 4096);
    this.rateLimiter = new RateLimiter(clock);
    this.cookieReplies = new RateLimiter(clock);
    this.handshakes = new HandshakeQueue<>(clock);
    this.sessionContext =
        new SessionContext<>(
            this::identity,
            indices,
            clock,
            timing,
            this::mtu,
            // A retry may use a fresh route: forget the sticky source, as wireguard-go does.
            ep -> ep.source() == null ? ep : ep.withSource(null),
            id -> {
              StaticKeys k = keys;
              return k == null ? null : k.other(id);
            });
  }

  /** Starts the threads and binds a random port (wg's "listen_port=0" until told otherwise). */
  public void start() throws IOException {
    refreshMtu();
    rebind(0);
    startThread("tun-reader", this::readTun);
    startThread("handshake", new HandshakeReceiver(this)::run);
    startThread("timers", this::timerLoop);
  }

  private Thread startThread(String name, Runnable r) {
    Thread t = Thread.ofPlatform().name(tun.name() + "-" + name).daemon().start(r);
    threads.add(t);
    return t;
  }

  LocalIdentity identity() {
    StaticKeys k = keys;
    return k == null ? null : k.primary();
  }

  StaticKeys staticKeys() {
    return keys;
  }

  void setStaticKeys(StaticKeys next) {
    keys = next;
  }

  /** Key rotation: a second static key, and peers re-keyed in place (the node agent uses it). */
  public StaticKeyRotation keyRotation() {
    return keyRotation;
  }

  boolean isUp() {
    return !closed;
  }

  int mtu() {
    return mtu;
  }

  public DropCounters drops() {
    return counters;
  }

  /**
   * Handshake messages sent, by name: "initiation sent", "response sent" (completions: {@link
   * #handshakesCompleted()}; failures are among the {@link #drops()}); and "handshake queued", the
   * handshake messages admitted to the handshake thread.
   */
  public DropCounters events() {
    return events;
  }

  /** Handshakes completed with every peer since the device started. */
  public long handshakesCompleted() {
    long n = 0;
    for (Peer p : peers.values()) {
      n += p.session.handshakesCompleted();
    }
    return n;
  }

  public String name() {
    return tun.name();
  }

  // ---- configuration (DeviceConfigurator uses these under configLock) ----

  /**
   * Sets (or with null removes) the private key; sessions under the old key are dropped, and so is
   * a second key of a rotation in progress.
   */
  void setPrivateKey(NoisePrivateKey key) {
    StaticKeys nextKeys = key == null || key.isZero() ? null : StaticKeys.of(key, clock);
    LocalIdentity next = nextKeys == null ? null : nextKeys.primary();
    LocalIdentity cur = identity();
    if (cur == null ? next == null : next != null && cur.privateKey().equals(next.privateKey())) {
      return;
    }
    keys = nextKeys;
    // A peer with our own public key is removed, as wireguard-go does.
    if (next != null) {
      Peer self = peers.get(next.publicKey());
      if (self != null) {
        removePeer(self.publicKey);
      }
    }
    for (Peer p : peers.values()) {
      p.session.expireCurrentKeypairs();
      p.session.setLocalIdentity(next);
    }
  }

  NoisePublicKey publicKey() {
    LocalIdentity id = identity();
    return id == null ? null : id.publicKey();
  }

  NoisePrivateKey privateKey() {
    LocalIdentity id = identity();
    return id == null ? null : id.privateKey();
  }

  int listenPort() {
    return listenPort;
  }

  int fwmark() {
    return fwmark;
  }

  /** Binds {@code port} (0: random); on failure the old sockets stay as they were. */
  void rebind(int port) throws IOException {
    if (port != 0 && port == listenPort && !receivers.isEmpty()) {
      return;
    }
    bind.close();
    Bind.Opened opened;
    try {
      opened = bind.open(port);
    } catch (IOException e) {
      // Restore the previous port so the device keeps working.
      if (listenPort != 0) {
        try {
          startReceivers(bind.open(listenPort));
        } catch (IOException again) {
          LOG.log(Level.SEVERE, "cannot rebind the previous port " + listenPort, again);
        }
      }
      throw e;
    }
    listenPort = opened.port();
    startReceivers(opened);
    if (fwmark != 0) {
      bind.setMark(fwmark);
    }
  }

  private void startReceivers(Bind.Opened opened) {
    receivers.clear();
    for (Bind.Receiver r : opened.receivers()) {
      receivers.add(startThread("udp-rx", () -> receiveLoop(r)));
    }
  }

  void setFwmark(int mark) throws IOException {
    bind.setMark(mark);
    fwmark = mark;
  }

  Peer peer(NoisePublicKey key) {
    return peers.get(key);
  }

  Peer addPeer(NoisePublicKey key) {
    return peers.computeIfAbsent(key, k -> new Peer(this, k));
  }

  /**
   * Gives the peer {@code current} the public key {@code next} in place: the same peer, sessions,
   * queues, endpoint and allowed IPs. At every moment the peer is found under one key or both, so
   * no packet in flight finds it missing.
   */
  void rekeyPeer(NoisePublicKey current, NoisePublicKey next) {
    Peer p = peers.get(current);
    if (p == null) {
      throw new IllegalArgumentException("no peer " + current);
    }
    if (current.equals(next)) {
      return;
    }
    if (peers.containsKey(next)) {
      throw new IllegalArgumentException("a peer " + next + " exists already");
    }
    StaticKeys k = keys;
    if (k != null && k.find(next) != null) {
      throw new IllegalArgumentException(next + " is this interface's own key");
    }
    peers.put(next, p);
    p.publicKey = next;
    p.session.rekeyRemote(next);
    peers.remove(current, p);
  }

  void removePeer(NoisePublicKey key) {
    Peer p = peers.remove(key);
    if (p != null) {
      allowedIps.removeByPeer(p);
      p.session.stop();
    }
  }

  Collection<Peer> peers() {
    return peers.values();
  }

  void addAllowedIp(Peer p, IpPrefix prefix) {
    allowedIps.insert(prefix, p);
  }

  void removeAllowedIp(Peer p, IpPrefix prefix) {
    allowedIps.remove(prefix, p);
  }

  void clearAllowedIps(Peer p) {
    allowedIps.removeByPeer(p);
  }

  List<IpPrefix> allowedIps(Peer p) {
    return allowedIps.entriesForPeer(p);
  }

  // ---- the public configuration API (the UAPI and the node agent) ----

  /** Hold this lock around a group of changes that must apply together. */
  public Object configLock() {
    return configLock;
  }

  /** Sets the private key (null or all zeros removes it). */
  public void configurePrivateKey(NoisePrivateKey key) {
    synchronized (configLock) {
      setPrivateKey(key);
    }
  }

  /** The public key, or null without a private key. */
  public NoisePublicKey configuredPublicKey() {
    return publicKey();
  }

  /**
   * Rebinds the UDP port (0 picks a free one).
   *
   * @throws java.net.BindException if the port is in use; the old port keeps working
   */
  public void configureListenPort(int port) throws IOException {
    synchronized (configLock) {
      rebind(port);
    }
  }

  public void configureFwmark(int mark) throws IOException {
    synchronized (configLock) {
      setFwmark(mark);
    }
  }

  public boolean hasPeer(NoisePublicKey key) {
    return peers.containsKey(key);
  }

  /** Adds a peer with no endpoint or allowed IPs; nothing if it exists. */
  public void configurePeer(NoisePublicKey key) {
    synchronized (configLock) {
      addPeer(key);
    }
  }

  public void configureRemovePeer(NoisePublicKey key) {
    synchronized (configLock) {
      removePeer(key);
    }
  }

  public void configureRemoveAllPeers() {
    synchronized (configLock) {
      for (NoisePublicKey k : List.copyOf(peers.keySet())) {
        removePeer(k);
      }
    }
  }

  public void configurePresharedKey(
      NoisePublicKey key, dev.wiremesh.wireguard.crypto.PresharedKey psk) {
    requirePeer(key).session.setPresharedKey(psk);
  }

  public void configureEndpoint(NoisePublicKey key, Endpoint endpoint) {
    requirePeer(key).session.setEndpoint(endpoint);
  }

  /**
   * Sends the peer a keepalive now (a handshake first when no session allows it), to its endpoint:
   * how a node behind NAT opens its mapping towards a peer's new endpoint at once rather than at
   * its next keepalive.
   */
  public void sendKeepalive(NoisePublicKey key) {
    Peer p = requirePeer(key);
    if (isUp()) {
      p.run(p.session.sendKeepalive());
    }
  }

  /** Sets the persistent keepalive; turning it on sends a keepalive at once. */
  public void configurePersistentKeepalive(NoisePublicKey key, int seconds) {
    Peer p = requirePeer(key);
    List<dev.wiremesh.wireguard.session.Step<Endpoint>> steps =
        p.session.setPersistentKeepalive(seconds);
    if (isUp()) {
      p.run(steps);
    }
  }

  public void configureClearAllowedIps(NoisePublicKey key) {
    clearAllowedIps(requirePeer(key));
  }

  /** Adds a prefix to the peer, taking it from any other peer that held it. */
  public void configureAllowedIp(NoisePublicKey key, IpPrefix prefix) {
    addAllowedIp(requirePeer(key), prefix);
  }

  public void configureRemoveAllowedIp(NoisePublicKey key, IpPrefix prefix) {
    removeAllowedIp(requirePeer(key), prefix);
  }

  private Peer requirePeer(NoisePublicKey key) {
    Peer p = peers.get(key);
    if (p == null) {
      throw new IllegalArgumentException("no peer " + key);
    }
    return p;
  }

  /** Every setting and counter, peers in a stable order (by public key). */
  public DeviceSnapshot snapshot() {
    synchronized (configLock) {
      List<DeviceSnapshot.PeerSnapshot> ps = new ArrayList<>();
      List<Peer> sorted = new ArrayList<>(peers.values());
      sorted.sort(java.util.Comparator.comparing(p -> p.publicKey.toHex()));
      for (Peer p : sorted) {
        ps.add(
            new DeviceSnapshot.PeerSnapshot(
                p.publicKey,
                p.session.presharedKey(),
                p.session.endpoint(),
                p.session.lastHandshake(),
                p.session.rxBytes(),
                p.session.txBytes(),
                p.session.persistentKeepalive(),
                allowedIps(p),
                p.session.endpointSeen().orElse(null)));
      }
      return new DeviceSnapshot(privateKey(), listenPort, fwmark, List.copyOf(ps));
    }
  }

  // ---- I/O edges ----

  boolean sendDatagram(byte[] buf, int off, int len, Endpoint ep) {
    try {
      bind.send(buf, off, len, ep);
      return true;
    } catch (IOException e) {
      counters.dropped("send failed");
      LOG.log(Level.FINE, () -> "sending to " + ep + " failed: " + e.getMessage());
      return false;
    }
  }

  void sendDatagrams(byte[][] bufs, int[] sizes, int count, Endpoint ep) {
    try {
      bind.send(bufs, sizes, 0, count, ep);
    } catch (IOException e) {
      counters.dropped("send failed", count);
      LOG.log(Level.FINE, () -> "sending to " + ep + " failed: " + e.getMessage());
    }
  }

  /** Writes {@code count} decrypted packets, each at offset 16 of its buffer. */
  void writeTun(byte[][] bufs, int[] sizes, int count) {
    try {
      tun.write(bufs, sizes, MESSAGE_TRANSPORT_HEADER_SIZE, count);
    } catch (TunGoneException e) {
      terminate("interface " + tun.name() + " was deleted");
    } catch (IOException e) {
      counters.dropped("tun write failed");
    }
  }

  void writeTun(byte[] buf, int off, int len) {
    try {
      tun.write(buf, off, len);
    } catch (TunGoneException e) {
      terminate("interface " + tun.name() + " was deleted");
    } catch (IOException e) {
      counters.dropped("tun write failed");
    }
  }

  private void refreshMtu() {
    try {
      mtu = tun.mtu();
    } catch (TunGoneException e) {
      terminate("interface " + tun.name() + " was deleted");
    } catch (IOException e) {
      LOG.log(Level.FINE, "reading the MTU failed", e);
    }
  }

  /**
   * TUN → allowed IPs → peer, a batch of packets per read; each packet is read into a buffer its
   * peer's session then owns, and each peer's packets of one read go to one worker together.
   */
  private void readTun() {
    byte[][] bufs = new byte[tun.batchSize()][];
    int[] sizes = new int[bufs.length];
    List<Peer> touched = new ArrayList<>();
    while (!closed) {
      int length = packetBufferLength();
      for (int i = 0; i < bufs.length; i++) {
        if (bufs[i] == null || bufs[i].length < length) {
          bufs[i] = buffers.acquire(length);
        }
      }
      int count;
      try {
        count = tun.read(bufs, sizes, MESSAGE_TRANSPORT_HEADER_SIZE);
      } catch (ClosedChannelException e) {
        return;
      } catch (TunGoneException e) {
        terminate("interface " + tun.name() + " was deleted");
        return;
      } catch (IOException e) {
        LOG.log(Level.FINE, "TUN read failed", e);
        continue;
      }
      for (int i = 0; i < count; i++) {
        Peer peer = route(bufs[i], sizes[i]);
        if (peer != null) {
          peer.session.stage(bufs[i], sizes[i], peer.readerSteps);
          bufs[i] = null; // the session owns it now
          if (!touched.contains(peer)) {
            touched.add(peer);
          }
        }
      }
      touched.forEach(Peer::submitFormed);
      touched.clear();
    }
  }

  /** The peer an outbound packet of {@code n} bytes at offset 16 goes to, or null if dropped. */
  private Peer route(byte[] buf, int n) {
    if (n <= 0) {
      return null;
    }
    if (n == buf.length - MESSAGE_TRANSPORT_HEADER_SIZE) {
      // Possibly cut short: the MTU went up since it was last read. Read it now.
      counters.dropped("packet larger than the MTU");
      refreshMtu();
      return null;
    }
    Peer peer = allowedIps.lookupDestination(buf, MESSAGE_TRANSPORT_HEADER_SIZE);
    if (peer == null) {
      counters.dropped("no peer for destination");
      return null;
    }
    if (keys == null) {
      counters.dropped("no private key");
      return null;
    }
    return peer;
  }

  /** A buffer for one outbound packet: header, an MTU-sized packet, padding and tag, plus one. */
  private int packetBufferLength() {
    return MESSAGE_TRANSPORT_HEADER_SIZE + mtu + PADDING_MULTIPLE + TAG_LENGTH;
  }

  /**
   * UDP → message type → handshake queue or a crypto worker; consecutive transport messages of one
   * peer go to one worker together.
   */
  private void receiveLoop(Bind.Receiver receiver) {
    byte[][] bufs = new byte[bind.batchSize()][];
    for (int i = 0; i < bufs.length; i++) {
      bufs[i] = buffers.acquire(BufferPool.BUFFER_SIZE);
    }
    int[] sizes = new int[bufs.length];
    Endpoint[] eps = new Endpoint[bufs.length];
    while (!closed) {
      int count;
      try {
        count = receiver.receive(bufs, sizes, eps);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.log(Level.FINE, "UDP receive failed", e);
        continue;
      }
      InboundJob batch = null;
      for (int i = 0; i < count; i++) {
        Inbound<Endpoint> in = handleDatagram(bufs[i], sizes[i], eps[i]);
        if (in == null) {
          continue;
        }
        Peer p = peerOf(in.session());
        if (p == null) {
          counters.dropped("unknown receiver index");
          continue;
        }
        if (batch != null && (batch.peer != p || batch.isFull())) {
          submit(batch);
          batch = null;
        }
        if (batch == null) {
          batch = new InboundJob(p);
        }
        batch.add(in);
        bufs[i] = buffers.acquire(BufferPool.BUFFER_SIZE); // the job owns the old one
      }
      if (batch != null) {
        submit(batch);
      }
    }
  }

  /**
   * Queues a handshake message; returns a transport message's job to open, or null (a handshake
   * message, which was copied, or one dropped).
   */
  private Inbound<Endpoint> handleDatagram(byte[] buf, int len, Endpoint source) {
    int type = type(buf, len);
    switch (type) {
      case MESSAGE_INITIATION_TYPE, MESSAGE_RESPONSE_TYPE, MESSAGE_COOKIE_REPLY_TYPE -> {
        if (type == MESSAGE_INITIATION_TYPE && knownInitiations.isReplay(buf)) {
          // A captured initiation sent again: no copy, no queue, no MAC, no Diffie-Hellman.
          counters.dropped("replayed initiation");
          return null;
        }
        byte[] msg = java.util.Arrays.copyOf(buf, len);
        if (handshakes.offer(new HandshakeReceiver.Message(msg, type, source))) {
          events.count("handshake queued");
        } else {
          counters.dropped("handshake queue full");
        }
        return null;
      }
      case MESSAGE_TRANSPORT_TYPE -> {
        Inbound<Endpoint> in = PeerSession.inbound(indices, buf, len, source);
        if (in == null) {
          counters.dropped("unknown receiver index");
        } else if (!in.mayBeFresh()) {
          // A replay of a message already received: no queue, no decryption.
          counters.dropped("replayed");
          return null;
        }
        return in;
      }
      default -> {
        counters.dropped("malformed or unknown message");
        return null;
      }
    }
  }

  /**
   * Queues the batch in its peer's order and opens it: a lone message here and now (cheaper than a
   * hand-off, and no worker wake-up in its latency), more on a worker.
   */
  private void submit(InboundJob job) {
    Peer p = job.peer;
    int offered = job.count;
    boolean queued = p.inbound.add(job);
    if (job.count < offered || !queued) {
      counters.dropped("inbound queue full", queued ? offered - job.count : offered);
    }
    if (!queued) {
      for (int i = 0; i < job.count; i++) {
        buffers.release(job.messages[i].buffer());
      }
      return;
    }
    if (job.count == 1) {
      job.run();
    } else if (!workers.submit(job)) {
      counters.dropped("crypto queue full", job.count);
      job.skipped = true;
      job.complete();
      p.inbound.drain(p::deliverInbound);
    }
  }

  /** The live peer whose session this is; null if the session belongs to a removed peer. */
  Peer peerOf(PeerSession<?> session) {
    Peer p = session == null ? null : peers.get(session.remoteStatic());
    return p != null && p.session == session ? p : null;
  }

  private void timerLoop() {
    long lastMtu = 0;
    while (!closed) {
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      for (Peer p : peers.values()) {
        try {
          p.run(p.session.tick());
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, p + ": timer failed", e);
        }
      }
      long now = clock.nanoTime();
      if (now - lastMtu > TimeUnit.SECONDS.toNanos(1)) {
        lastMtu = now;
        refreshMtu();
        rateLimiter.collectGarbage();
      }
    }
  }

  // ---- life cycle ----

  /** Ends the device with {@code reason}; {@link #awaitTermination} returns it. */
  void terminate(String reason) {
    if (terminationReason == null) {
      terminationReason = reason;
    }
    terminated.countDown();
  }

  /** Blocks until the device ends (its interface deleted, or {@link #close}); returns why. */
  public String awaitTermination() throws InterruptedException {
    terminated.await();
    return terminationReason;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    terminate("closed");
    for (Peer p : peers.values()) {
      p.session.stop();
    }
    try {
      bind.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the bind", e);
    }
    try {
      tun.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the TUN", e);
    }
    workers.close();
    for (Thread t : threads) {
      t.interrupt();
    }
  }
}
