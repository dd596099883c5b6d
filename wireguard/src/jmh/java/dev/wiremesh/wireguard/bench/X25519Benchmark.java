package dev.wiremesh.wireguard.bench;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import dev.wiremesh.wireguard.crypto.X25519;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One X25519 agreement: BouncyCastle (what we use) against the JDK's XDH. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class X25519Benchmark {
  NoisePrivateKey a;
  dev.wiremesh.wireguard.crypto.NoisePublicKey b;
  KeyPair ja;
  KeyPair jb;

  @Setup
  public void setUp() throws Exception {
    SecureRandom r = new SecureRandom();
    a = NoisePrivateKey.generate(r);
    b = NoisePrivateKey.generate(r).publicKey();
    KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
    ja = g.generateKeyPair();
    jb = g.generateKeyPair();
  }

  @Benchmark
  public Object bouncyCastle() {
    return X25519.dh(a, b);
  }

  @Benchmark
  public byte[] jdk() throws Exception {
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(ja.getPrivate());
    ka.doPhase(jb.getPublic(), true);
    return ka.generateSecret();
  }
}
