package dev.wiremesh.wireguard.bench;

import dev.wiremesh.wireguard.session.Keypair;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Sealing and opening one 1420-byte transport payload with the JDK's ChaCha20-Poly1305. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TransportBenchmark {
  static final int SIZE = 1420;
  Keypair sender;
  Keypair receiver;
  byte[] plain = new byte[SIZE];
  byte[] out = new byte[SIZE + 16];
  byte[] sealed = new byte[SIZE + 16];
  long counter;

  @Setup
  public void setUp() {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    k1[0] = 1;
    k2[0] = 2;
    sender = new Keypair(k1, k2, true, 1, 2, 0);
    receiver = new Keypair(k2, k1, false, 2, 1, 0);
    sender.seal(0, plain, 0, SIZE, sealed, 0);
  }

  @Benchmark
  public int seal() {
    return sender.seal(++counter, plain, 0, SIZE, out, 0);
  }

  @Benchmark
  public int open() {
    return receiver.open(0, sealed, 0, SIZE + 16, out, 0);
  }
}
