package dev.wiremesh.wireguard.ratelimit;

import static dev.wiremesh.wireguard.ratelimit.RateLimiter.PACKETS_BURSTABLE;
import static dev.wiremesh.wireguard.ratelimit.RateLimiter.PACKETS_PER_SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.timers.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final Duration ONE_PACKET = Duration.ofNanos(1_000_000_000L / PACKETS_PER_SECOND);

  private final ManualClock clock = new ManualClock();

  record Step(boolean allowed, String text, Duration pause) {}

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: no name lookup
  }

  /** wireguard-go's ratelimiter_test.go: the same sequence, on every one of its 14 sources. */
  @Test
  void allowDenySequenceOfWireguardGo() throws Exception {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < PACKETS_BURSTABLE; i++) {
      steps.add(new Step(true, "initial burst", Duration.ZERO));
    }
    steps.add(new Step(false, "after burst", Duration.ZERO));
    steps.add(new Step(true, "filling tokens for single packet", ONE_PACKET));
    steps.add(new Step(false, "not having refilled enough", Duration.ZERO));
    steps.add(new Step(true, "filling tokens for two packet burst", ONE_PACKET.multipliedBy(2)));
    steps.add(new Step(true, "second packet in 2 packet burst", Duration.ZERO));
    steps.add(new Step(false, "packet following 2 packet burst", Duration.ZERO));

    List<InetAddress> ips = new ArrayList<>();
    for (String s :
        List.of(
            "127.0.0.1",
            "192.168.1.1",
            "172.167.2.3",
            "97.231.252.215",
            "248.97.91.167",
            "188.208.233.47",
            "104.2.183.179",
            "72.129.46.120",
            "2001:0db8:0a0b:12f0:0000:0000:0000:0001",
            "f5c2:818f:c052:655a:9860:b136:6894:25f0",
            "b2d7:15ab:48a7:b07c:a541:f144:a9fe:54fc",
            "a47b:786e:1671:a22b:d6f9:4ab0:abc7:c918",
            "ea1e:d155:7f7a:98fb:2bf5:9483:80f6:5445",
            "3f0e:54a2:f5b4:cd19:a21d:58e1:3746:84c4")) {
      ips.add(ip(s));
    }

    RateLimiter limiter = new RateLimiter(clock);
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      clock.advance(step.pause());
      for (InetAddress source : ips) {
        assertThat(limiter.allow(source))
            .as("step %d (%s) for %s", i, step.text(), source.getHostAddress())
            .isEqualTo(step.allowed());
      }
    }
  }

  /**
   * The kernel's selftest/ratelimiter.c timings test: the same sequence for one IPv4 source and one
   * IPv6 source whose host half changes every step (same /64, same bucket), while a neighbouring
   * IPv4 source and a neighbouring /64 are always allowed.
   */
  @Test
  void kernelTimingsTest() {
    RateLimiter limiter = new RateLimiter(clock);
    boolean[] results = {true, true, true, true, true, false, true, false, true, true, false};
    long[] sleepBefore = {
      0, 0, 0, 0, 0, 0, ONE_PACKET.toNanos(), 0, 2 * ONE_PACKET.toNanos(), 0, 0
    };
    int base4 = 8182;
    for (int i = 0; i < results.length; i++) {
      clock.advance(Duration.ofNanos(sleepBefore[i]));
      assertThat(limiter.allow(v4(base4))).as("step %d, IPv4", i).isEqualTo(results[i]);
      assertThat(limiter.allow(v4(base4 + i + 1))).as("step %d, IPv4 neighbour", i).isTrue();
      assertThat(limiter.allow(v6(1212, 289188, i, i)))
          .as("step %d, IPv6", i)
          .isEqualTo(results[i]);
      assertThat(limiter.allow(v6(1212 + i + 1, 289188, i, i)))
          .as("step %d, neighbouring /64", i)
          .isTrue();
    }
  }

  /** The kernel's capacity test: a full table refuses exactly the source past its bound. */
  @Test
  void kernelCapacityTest() {
    RateLimiter limiter = new RateLimiter(clock);
    for (int i = 0; i <= RateLimiter.DEFAULT_MAX_ENTRIES; i++) {
      assertThat(limiter.allow(v4(i)))
          .as("source %d", i)
          .isEqualTo(i != RateLimiter.DEFAULT_MAX_ENTRIES);
    }
  }

  private static byte[] v4(int address) {
    return java.nio.ByteBuffer.allocate(4).putInt(address).array();
  }

  private static byte[] v6(int w0, int w1, int w2, int w3) {
    return java.nio.ByteBuffer.allocate(16).putInt(w0).putInt(w1).putInt(w2).putInt(w3).array();
  }

  @Test
  void ipv6SourcesInOneSlash64ShareABucketAndOthersDoNot() throws Exception {
    RateLimiter limiter = new RateLimiter(clock);
    for (int i = 0; i < PACKETS_BURSTABLE; i++) {
      assertThat(limiter.allow(ip("2001:db8:1:2::" + Integer.toHexString(i + 1)))).isTrue();
    }
    assertThat(limiter.allow(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")))
        .as("same /64, bucket empty")
        .isFalse();
    assertThat(limiter.allow(ip("2001:db8:1:3::1"))).as("neighbouring /64").isTrue();
    assertThat(limiter.size()).isEqualTo(2);
  }

  @Test
  void ipv4SourcesAreKeyedOnTheWholeAddressAndMappedIpv6CountsAsIpv4() throws Exception {
    RateLimiter limiter = new RateLimiter(clock);
    for (int i = 0; i < PACKETS_BURSTABLE; i++) {
      assertThat(limiter.allow(ip("10.0.0.1"))).isTrue();
    }
    assertThat(limiter.allow(ip("10.0.0.1"))).isFalse();
    assertThat(limiter.allow(ip("10.0.0.2"))).isTrue();
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 1;
    assertThat(limiter.allow(mapped)).as("::ffff:10.0.0.1 is 10.0.0.1").isFalse();
  }

  @Test
  void theBucketRefillsToTheBurstAndNoFurther() throws Exception {
    RateLimiter limiter = new RateLimiter(clock);
    InetAddress source = ip("192.0.2.7");
    assertThat(limiter.allow(source)).isTrue();
    clock.advance(Duration.ofMillis(900)); // idle, but not long enough to be collected
    int allowed = 0;
    while (limiter.allow(source)) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(PACKETS_BURSTABLE);
  }

  @Test
  void theTableBoundRefusesNewSourcesButServesKnownOnes() throws Exception {
    RateLimiter limiter = new RateLimiter(clock, 3);
    assertThat(limiter.allow(ip("192.0.2.1"))).isTrue();
    assertThat(limiter.allow(ip("192.0.2.2"))).isTrue();
    assertThat(limiter.allow(ip("2001:db8::1"))).isTrue();
    assertThat(limiter.allow(ip("192.0.2.3"))).as("table full").isFalse();
    assertThat(limiter.allow(ip("2001:db8:0:1::1"))).as("table full").isFalse();
    assertThat(limiter.allow(ip("192.0.2.1"))).as("known source").isTrue();
    assertThat(limiter.size()).isEqualTo(3);
  }

  @Test
  void idleSourcesAreCollectedLazilyOnceASecond() throws Exception {
    RateLimiter limiter = new RateLimiter(clock, 2);
    limiter.allow(ip("192.0.2.1"));
    limiter.allow(ip("192.0.2.2"));
    clock.advance(Duration.ofMillis(1000).plusNanos(1));
    // the next call collects both idle sources before it looks for room
    assertThat(limiter.allow(ip("192.0.2.3"))).isTrue();
    assertThat(limiter.size()).isEqualTo(1);
  }

  @Test
  void collectGarbageForgetsSourcesIdleForMoreThanASecond() throws Exception {
    RateLimiter limiter = new RateLimiter(clock);
    limiter.allow(ip("192.0.2.1"));
    clock.advance(Duration.ofMillis(500));
    limiter.allow(ip("2001:db8::1"));
    clock.advance(Duration.ofMillis(500));
    limiter.collectGarbage();
    assertThat(limiter.size()).as("idle exactly 1 s is kept").isEqualTo(2);
    clock.advance(Duration.ofNanos(1));
    limiter.collectGarbage();
    assertThat(limiter.size()).isEqualTo(1);
    clock.advance(Duration.ofMillis(500));
    limiter.collectGarbage();
    assertThat(limiter.size()).isZero();
  }

  @Test
  void aForgottenSourceStartsWithAFullBucket() throws Exception {
    RateLimiter limiter = new RateLimiter(clock);
    InetAddress source = ip("198.51.100.1");
    for (int i = 0; i < PACKETS_BURSTABLE; i++) {
      limiter.allow(source);
    }
    assertThat(limiter.allow(source)).isFalse();
    clock.advance(Duration.ofSeconds(2));
    int allowed = 0;
    while (limiter.allow(source)) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(PACKETS_BURSTABLE);
  }

  @Test
  void aMalformedAddressIsRefusedWithItsLength() {
    RateLimiter limiter = new RateLimiter(clock);
    assertThatThrownBy(() -> limiter.allow(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 5");
    assertThatThrownBy(() -> new RateLimiter(clock, 0))
        .hasMessageContaining("maxEntries must be at least 1, got 0");
  }
}
