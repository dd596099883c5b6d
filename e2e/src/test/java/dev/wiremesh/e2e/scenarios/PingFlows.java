package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.e2e.localmesh.LocalMesh;
import dev.wiremesh.e2e.localmesh.PingMatrix;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Some nodes pinging each other's IPv4 tunnel addresses in the background, {@code count} echo
 * requests one every {@code intervalMillis}, while a fault is made; {@link #assertNoneLost} waits
 * for them and names every flow that lost a ping.
 */
final class PingFlows implements AutoCloseable {
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Future<PingMatrix.Flow>> flows = new TreeMap<>();
  private final int count;

  private PingFlows(int count) {
    this.count = count;
  }

  /** Every node of {@code among} pings every other node of {@code among}. */
  static PingFlows start(
      LocalMesh mesh, MeshUnderTest m, Collection<String> among, int count, int intervalMillis) {
    PingFlows f = new PingFlows(count);
    mesh.tunnelAddresses()
        .forEach(
            (address, to) -> {
              for (String from : among) {
                if (!to.equals(from) && among.contains(to) && !address.contains(":")) {
                  f.flows.put(
                      from + " -> " + address + " (" + to + ")",
                      f.pool.submit(() -> m.pingFlow(from, address, count, intervalMillis)));
                }
              }
            });
    assertThat(f.flows).as("flows between " + among).isNotEmpty();
    return f;
  }

  /** Waits for every flow; fails naming those that lost a ping. */
  void assertNoneLost() throws Exception {
    Map<String, String> lost = new TreeMap<>();
    for (var e : flows.entrySet()) {
      PingMatrix.Flow flow = e.getValue().get();
      if (flow.transmitted() != count || flow.received() != count) {
        lost.put(e.getKey(), flow.received() + " of " + flow.transmitted() + " answered");
      }
    }
    assertThat(lost).as("flows that lost pings (of " + count + " each)").isEmpty();
  }

  @Override
  public void close() {
    pool.close();
  }
}
