package dev.wiremesh.agent.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiremesh.api.agent.DeviceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The configuration the agent last applied, kept in its state folder ({@code applied-config.json},
 * mode 0600 as it may hold preshared keys) so a restarted agent brings its tunnels back without the
 * operator.
 */
public final class StateStore {
  public static final String FILE = "applied-config.json";

  private final Path file;
  private final ObjectMapper json = new ObjectMapper();

  public StateStore(Path stateDir) {
    this.file = stateDir.resolve(FILE);
  }

  public void save(DeviceConfig config) throws IOException {
    AtomicFiles.write(file, json.writeValueAsBytes(config));
  }

  /**
   * The saved config, if any and if its hash still matches its content; first removes what saves
   * killed mid-way left behind.
   */
  public Optional<DeviceConfig> load() throws IOException {
    AtomicFiles.removeLeftovers(file);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    DeviceConfig c = json.readValue(file.toFile(), DeviceConfig.class);
    if (!c.hashMatches()) {
      throw new IOException(file + " is damaged: its hash does not match its content");
    }
    return Optional.of(c);
  }

  public Path file() {
    return file;
  }
}
