package dev.wiremesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under src/test/resources/golden, reviewed by eye. {@code
 * -Dwiremesh.golden.write=true} rewrites them from the current output (then review the diff).
 */
final class Golden {

  private Golden() {}

  static void check(String name, String actual) {
    Path file = Path.of("src/test/resources/golden", name);
    try {
      if (Boolean.getBoolean("wiremesh.golden.write")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual);
      }
      assertThat(actual).as("golden file " + file).isEqualTo(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
