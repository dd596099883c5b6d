package dev.wiremesh.wireguard.allowedips;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AllowedIpsConcurrencyTest {

  /**
   * Readers never see a half-applied update: while a writer churns prefixes inside 10.0.0.0/8, an
   * address outside it always routes to the default and one in a prefix nobody touches always
   * routes to its peer.
   */
  @Test
  void lookupsDuringUpdatesSeeConsistentVersions() throws Exception {
    AllowedIps<String> table = new AllowedIps<>();
    table.insert(IpPrefix.parse("0.0.0.0/0"), "default");
    table.insert(IpPrefix.parse("10.200.0.0/16"), "stable");
    table.insert(IpPrefix.parse("::/0"), "default6");
    byte[] outside = {11, 1, 2, 3};
    byte[] inStable = {10, (byte) 200, 7, 7};
    byte[] v6 = new byte[16];
    v6[0] = (byte) 0xfd;
    AtomicBoolean done = new AtomicBoolean();

    try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
      List<Future<Long>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            pool.submit(
                () -> {
                  long reads = 0;
                  while (!done.get() || reads < 10_000) {
                    assertThat(table.lookup(outside)).isEqualTo("default");
                    assertThat(table.lookup(inStable)).isEqualTo("stable");
                    assertThat(table.lookup(v6)).isEqualTo("default6");
                    reads++;
                  }
                  return reads;
                }));
      }
      Random random = new Random(5);
      for (int i = 0; i < 20_000; i++) {
        byte[] a = {10, (byte) random.nextInt(200), (byte) random.nextInt(256), 0};
        IpPrefix p = new IpPrefix(a, 16 + random.nextInt(17));
        String peer = "p" + random.nextInt(8);
        if (random.nextInt(3) == 0) {
          table.removeByPeer(peer);
        } else if (random.nextBoolean()) {
          table.remove(p, peer);
        } else {
          table.insert(p, peer);
        }
      }
      done.set(true);
      for (Future<Long> reader : readers) {
        assertThat(reader.get()).isGreaterThanOrEqualTo(10_000);
      }
    }
  }
}
