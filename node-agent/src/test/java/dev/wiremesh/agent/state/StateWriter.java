package dev.wiremesh.agent.state;

import dev.wiremesh.api.agent.DeviceConfig;
import dev.wiremesh.api.agent.PeerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A process that saves two configurations alternately, as fast as it can, printing the count after
 * each save, until it is killed: the victim of {@link StateStoreKillTest}.
 *
 * <pre>StateWriter STATE_DIR</pre>
 */
public final class StateWriter {
  private StateWriter() {}

  /** A configuration of {@code peers} peers; {@code variant} changes every peer's endpoint port. */
  static DeviceConfig config(int variant, int peers) {
    List<PeerConfig> list = new ArrayList<>();
    for (int i = 0; i < peers; i++) {
      byte[] key = new byte[32];
      key[0] = (byte) i;
      key[1] = (byte) (i >> 8);
      list.add(
          new PeerConfig(
              java.util.Base64.getEncoder().encodeToString(key),
              null,
              "192.0.2." + (i % 250 + 1) + ":" + (51820 + variant),
              List.of("10.44." + (i >> 8) + "." + (i & 0xff) + "/32"),
              25,
              null));
    }
    return new DeviceConfig(null, "wm0", List.of("10.44.255.1/16"), 51820, 1420, list).withHash();
  }

  public static void main(String[] args) throws Exception {
    StateStore store = new StateStore(Path.of(args[0]));
    DeviceConfig[] configs = {config(0, 300), config(1, 300)};
    for (long n = 0; ; n++) {
      store.save(configs[(int) (n & 1)]);
      System.out.println(n);
      System.out.flush();
    }
  }
}
