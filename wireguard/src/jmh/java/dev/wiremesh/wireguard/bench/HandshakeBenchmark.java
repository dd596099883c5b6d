package dev.wiremesh.wireguard.bench;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.noise.Handshake;
import dev.wiremesh.wireguard.noise.LocalIdentity;
import dev.wiremesh.wireguard.timers.ManualClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A whole handshake: initiation created and consumed, response created and consumed, both keypairs. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
  ManualClock clock;
  LocalIdentity alice;
  LocalIdentity bob;
  Handshake aliceToBob;
  Handshake bobToAlice;

  @Setup
  public void setUp() {
    SecureRandom r = new SecureRandom();
    clock = new ManualClock();
    alice = LocalIdentity.of(NoisePrivateKey.generate(r));
    bob = LocalIdentity.of(NoisePrivateKey.generate(r));
    aliceToBob = new Handshake(bob.publicKey(), alice);
    bobToAlice = new Handshake(alice.publicKey(), bob);
  }

  @Benchmark
  public Object handshake() {
    // Move both clocks so each initiation is newer and past the 20 ms flood limit.
    clock.advance(Duration.ofMillis(25));
    byte[] init = aliceToBob.createMessageInitiation(alice, 1, clock).orElseThrow();
    Handshake.consumeMessageInitiation(bob, init, k -> bobToAlice, clock).orElseThrow();
    byte[] resp = bobToAlice.createMessageResponse(2).orElseThrow();
    Handshake.consumeMessageResponse(alice, resp, i -> aliceToBob).orElseThrow();
    bobToAlice.beginSymmetricSession(clock).orElseThrow();
    return aliceToBob.beginSymmetricSession(clock).orElseThrow();
  }
}
