package dev.wiremesh.wireguard.bench;

import dev.wiremesh.wireguard.allowedips.AllowedIps;
import dev.wiremesh.wireguard.allowedips.IpPrefix;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Outbound routing: the destination of an IPv4 packet looked up among 10,000 prefixes. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AllowedIpsBenchmark {
  AllowedIps<Integer> table = new AllowedIps<>();
  byte[][] packets = new byte[1024][];
  int i;

  @Setup
  public void setUp() {
    Random r = new Random(1);
    for (int n = 0; n < 10_000; n++) {
      byte[] a = new byte[4];
      r.nextBytes(a);
      table.insert(new IpPrefix(a, 8 + r.nextInt(25)), n % 1000);
    }
    for (int n = 0; n < packets.length; n++) {
      byte[] p = new byte[20];
      p[0] = 0x45; // IPv4, 20-byte header; the destination is bytes 16-19
      for (int b = 16; b < 20; b++) {
        p[b] = (byte) r.nextInt();
      }
      packets[n] = p;
    }
  }

  @Benchmark
  public Integer lookup() {
    return table.lookupDestination(packets[i++ & 1023], 0);
  }
}
