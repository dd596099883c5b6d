package dev.wiremesh.wireguard.session;

import static dev.wiremesh.wireguard.message.Messages.*;

import dev.wiremesh.wireguard.cookie.CookieChecker;
import dev.wiremesh.wireguard.crypto.NoisePublicKey;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One peer's WireGuard as three synchronous calls without I/O (boringtun's {@code Tunn}): {@link
 * #encapsulate} an IP packet, {@link #decapsulate} a datagram, {@link #updateTimers}; each returns
 * what to send where, what to deliver, and what was dropped. Complete on its own, for tests and
 * simple embedders; it seals and opens on the calling thread. It is {@link PeerSession}'s steps put
 * together, so a device that runs those steps on its own threads makes exactly the same decisions.
 * Thread-safe.
 *
 * @param <E> the endpoint type
 */
public final class Tunnel<E> {
  private final PeerSession<E> session;
  private final SessionContext<E> context;
  private CookieChecker checker; // guarded by this
  private NoisePublicKey checkerKey; // the key checker was made for; guarded by this

  public Tunnel(
      NoisePublicKey remoteStatic,
      SessionContext<E> context,
      PeerSession.SourceFilter allowedSource) {
    this.context = context;
    this.session = new PeerSession<>(remoteStatic, context, allowedSource);
  }

  /** The session's state and configuration (endpoint, keepalive, keys, counters). */
  public PeerSession<E> session() {
    return session;
  }

  /**
   * Encrypts an IP packet for the peer; without a session it waits and a handshake starts. An empty
   * packet is a keepalive.
   */
  public List<Output<E>> encapsulate(byte[] ipPacket) {
    byte[] buf = new byte[MESSAGE_TRANSPORT_HEADER_SIZE + ipPacket.length];
    System.arraycopy(ipPacket, 0, buf, MESSAGE_TRANSPORT_HEADER_SIZE, ipPacket.length);
    List<Step<E>> steps = new ArrayList<>();
    session.stage(buf, ipPacket.length, steps::add);
    return complete(steps);
  }

  /**
   * Handles a datagram from {@code source} meant for this peer: an initiation from it, a response
   * or cookie reply to our initiation, or a transport message under one of its keypairs. Anything
   * else (wrong size, unknown type, bad MAC, stale index, failed authentication, replay) comes back
   * as {@link Output.Dropped}. Never throws. The cookie mechanism (MAC2 under load) is the device's
   * business: it applies it before it dispatches handshake messages to a peer.
   */
  public List<Output<E>> decapsulate(byte[] datagram, E source) {
    int len = datagram == null ? 0 : datagram.length;
    int type = type(datagram, len);
    if (type == 0) {
      return List.of(new Output.Dropped<>("malformed or unknown message"));
    }
    LocalIdentity id = context.identity().get();
    if (id == null) {
      return List.of(new Output.Dropped<>("no private key"));
    }
    byte[] msg = Arrays.copyOf(datagram, len);
    return switch (type) {
      case MESSAGE_INITIATION_TYPE, MESSAGE_RESPONSE_TYPE -> {
        if (!checker(id).checkMac1(msg, len)) {
          yield List.of(new Output.Dropped<>("bad mac1"));
        }
        if (type == MESSAGE_RESPONSE_TYPE) {
          yield complete(session.consumeResponse(msg, source));
        }
        Optional<PeerSession<E>> p =
            PeerSession.consumeInitiation(
                id, msg, k -> k.equals(session.remoteStatic()) ? session : null, context);
        yield p.isEmpty()
            ? List.of(new Output.Dropped<>("initiation refused"))
            : complete(session.respond(source));
      }
      case MESSAGE_COOKIE_REPLY_TYPE ->
          session.consumeCookieReply(msg)
              ? List.of()
              : List.of(new Output.Dropped<>("unexpected cookie reply"));
      default -> {
        Inbound<E> job = PeerSession.inbound(context.indices(), msg, len, source);
        if (job == null || job.session() != session) {
          yield List.of(new Output.Dropped<>("unknown receiver index"));
        }
        job.open(context.timing(), context.clock().nanoTime());
        List<Step<E>> steps = new ArrayList<>();
        session.receiveAuthenticated(job, steps::add);
        yield complete(steps);
      }
    };
  }

  /** Runs whatever the timers ask for now (keepalives, handshake retries, giving up, zeroing). */
  public List<Output<E>> updateTimers() {
    return complete(session.tick());
  }

  /** Sets the persistent keepalive interval; turning it on sends a keepalive at once. */
  public List<Output<E>> setPersistentKeepalive(int seconds) {
    return complete(session.setPersistentKeepalive(seconds));
  }

  /** Seals every {@link Step.Seal} here and now, turning it into what the session says to do. */
  private List<Output<E>> complete(List<Step<E>> steps) {
    List<Output<E>> out = new ArrayList<>(steps.size());
    for (Step<E> s : steps) {
      switch (s) {
        case Output<E> o -> out.add(o);
        case Step.Seal<E> seal -> {
          seal.job().seal(context.mtu().getAsInt());
          out.add(session.transmitted(seal.job()));
        }
      }
    }
    return out;
  }

  private synchronized CookieChecker checker(LocalIdentity id) {
    if (checker == null || !checkerKey.equals(id.publicKey())) {
      checker = new CookieChecker(id.publicKey(), context.clock());
      checkerKey = id.publicKey();
    }
    return checker;
  }
}
