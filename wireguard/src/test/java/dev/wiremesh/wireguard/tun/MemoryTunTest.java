package dev.wiremesh.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MemoryTunTest {

  @Test
  void theDeviceReadsWhatTheKernelInjects() throws IOException {
    var tun = new MemoryTun("wm0");
    tun.inject(new byte[] {0x45, 1, 2});
    byte[] buf = new byte[10];
    assertThat(tun.read(buf, 4, 6)).isEqualTo(3);
    assertThat(Arrays.copyOfRange(buf, 4, 7)).containsExactly(0x45, 1, 2);
  }

  @Test
  void aPacketLongerThanTheBufferIsTruncated() throws IOException {
    var tun = new MemoryTun("wm0");
    tun.inject(new byte[] {1, 2, 3, 4});
    byte[] buf = new byte[2];
    assertThat(tun.read(buf, 0, 2)).isEqualTo(2);
    assertThat(buf).containsExactly(1, 2);
  }

  @Test
  void injectCopiesThePacketSoTheCallerMayReuseItsBuffer() throws IOException {
    var tun = new MemoryTun("wm0");
    byte[] packet = {7, 7};
    tun.inject(packet);
    packet[0] = 0;
    byte[] buf = new byte[2];
    tun.read(buf, 0, 2);
    assertThat(buf).containsExactly(7, 7);
  }

  @Test
  void batchReadTakesWhatIsQueuedUpToTheBatchSizeWithoutWaitingForMore() throws IOException {
    var tun = new MemoryTun("wm0", 1420, 3);
    for (int i = 1; i <= 4; i++) {
      tun.inject(new byte[] {(byte) i});
    }
    byte[][] bufs = new byte[8][20];
    int[] sizes = new int[8];
    assertThat(tun.read(bufs, sizes, 16)).isEqualTo(3);
    assertThat(bufs[0][16]).isEqualTo((byte) 1);
    assertThat(bufs[2][16]).isEqualTo((byte) 3);
    assertThat(sizes).startsWith(1, 1, 1);
    assertThat(tun.read(bufs, sizes, 16)).isEqualTo(1);
    assertThat(bufs[0][16]).isEqualTo((byte) 4);
  }

  @Test
  void writtenPacketsAreQueuedInOrderForTheTest() throws Exception {
    var tun = new MemoryTun("wm0");
    byte[][] bufs = {{9, 9, 1, 2}, {9, 9, 3}};
    assertThat(tun.write(bufs, new int[] {2, 1}, 2, 2)).isEqualTo(2);
    assertThat(tun.writtenCount()).isEqualTo(2);
    assertThat(tun.takeWritten(Duration.ofSeconds(1))).containsExactly(1, 2);
    assertThat(tun.takeWritten(Duration.ofSeconds(1))).containsExactly(3);
    assertThat(tun.takeWritten(Duration.ZERO)).isNull();
  }

  @Test
  void mtuFollowsSetMtu() throws IOException {
    var tun = new MemoryTun("wm0");
    assertThat(tun.mtu()).isEqualTo(1420);
    tun.setMtu(1280);
    assertThat(tun.mtu()).isEqualTo(1280);
  }

  @Test
  void closeUnblocksABlockedReader() throws Exception {
    var tun = new MemoryTun("wm0");
    var reader = reader(tun);
    tun.close();
    assertThat(Async.failureWithin(reader, Duration.ofSeconds(5)))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(() -> tun.write(new byte[1], 0, 1))
        .isInstanceOf(ClosedChannelException.class);
  }

  @Test
  void deleteSurfacesTunGoneToABlockedReaderAndToWriters() throws Exception {
    var tun = new MemoryTun("wm0");
    var reader = reader(tun);
    tun.delete();
    assertThat(Async.failureWithin(reader, Duration.ofSeconds(5)))
        .isInstanceOf(TunGoneException.class)
        .hasMessageContaining("\"wm0\"");
    assertThatThrownBy(() -> tun.write(new byte[1], 0, 1)).isInstanceOf(TunGoneException.class);
    assertThatThrownBy(tun::mtu).isInstanceOf(TunGoneException.class);
  }

  private static CompletableFuture<Integer> reader(MemoryTun tun) {
    var result = new CompletableFuture<Integer>();
    var thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.complete(tun.read(new byte[10], 0, 10));
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    await().atMost(Duration.ofSeconds(5)).until(() -> thread.getState() == Thread.State.WAITING);
    return result;
  }
}
