package dev.wiremesh.agent.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wiremesh.wireguard.crypto.NoisePrivateKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {
  @TempDir Path dir;

  @Test
  void generatesOnceWithMode0600AndReloadsTheSameKey() throws Exception {
    NoisePrivateKey first = KeyStore.loadOrCreate(dir);
    Path file = dir.resolve(KeyStore.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    NoisePrivateKey again = KeyStore.loadOrCreate(dir);
    assertThat(again.publicKey()).isEqualTo(first.publicKey());
    try (var leftovers = Files.list(dir)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly(KeyStore.FILE);
    }
  }

  @Test
  void theStoredKeyIsWhatWgGenkeyWritesAndWgPubkeyAgrees() throws Exception {
    NoisePrivateKey key = KeyStore.loadOrCreate(dir);
    Process p =
        new ProcessBuilder("wg", "pubkey")
            .redirectInput(dir.resolve(KeyStore.FILE).toFile())
            .redirectErrorStream(true)
            .start();
    String pub = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    assertThat(p.waitFor()).isZero();
    assertThat(pub).isEqualTo(key.publicKey().toBase64());
  }

  @Test
  void aKeyOthersCanReadIsRefusedWithoutPrintingIt() throws Exception {
    NoisePrivateKey key = KeyStore.loadOrCreate(dir);
    Path file = dir.resolve(KeyStore.FILE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> KeyStore.loadOrCreate(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("chmod 600")
        .hasMessageNotContaining(key.toBase64());
  }

  @Test
  void aDamagedFileIsRefusedWithWhatToDo() throws Exception {
    Path file = dir.resolve(KeyStore.FILE);
    Files.writeString(file, "not a key\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> KeyStore.loadOrCreate(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("remove it to have a new key generated")
        .hasMessageNotContaining("not a key");
  }

  @Test
  void aRotationOnDiskNextThenCommitThenFinishAndEachStepReloads() throws Exception {
    NoisePrivateKey old = KeyStore.loadOrCreate(dir);
    NoisePrivateKey next = KeyStore.createNext(dir);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(KeyStore.NEXT_FILE))))
        .isEqualTo("rw-------");
    NodeKeys prepared = KeyStore.loadNodeKeys(dir);
    assertThat(prepared.current().publicKey()).isEqualTo(old.publicKey());
    assertThat(prepared.next().publicKey()).isEqualTo(next.publicKey());
    assertThat(prepared.previous()).isNull();

    KeyStore.commitNext(dir);
    NodeKeys committed = KeyStore.loadNodeKeys(dir);
    assertThat(committed.current().publicKey()).isEqualTo(next.publicKey());
    assertThat(committed.previous().publicKey()).isEqualTo(old.publicKey());
    assertThat(committed.next()).isNull();

    KeyStore.deletePrevious(dir);
    NodeKeys finished = KeyStore.loadNodeKeys(dir);
    assertThat(finished.current().publicKey()).isEqualTo(next.publicKey());
    assertThat(finished.second()).isNull();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(KeyStore.FILE);
    }
  }

  @Test
  void aCommitKilledBetweenItsTwoRenamesIsFinishedAtTheNextStart() throws Exception {
    NoisePrivateKey old = KeyStore.loadOrCreate(dir);
    NoisePrivateKey next = KeyStore.createNext(dir);
    // The first rename of commitNext happened, the second did not.
    Files.move(dir.resolve(KeyStore.FILE), dir.resolve(KeyStore.PREVIOUS_FILE));

    NodeKeys keys = KeyStore.loadNodeKeys(dir);

    assertThat(keys.current().publicKey()).isEqualTo(next.publicKey());
    assertThat(keys.previous().publicKey()).isEqualTo(old.publicKey());
    assertThat(Files.exists(dir.resolve(KeyStore.NEXT_FILE))).isFalse();
  }

  @Test
  void aFinishKilledOnceTheKeyWasSetAsideIsFinishedAtTheNextStart() throws Exception {
    KeyStore.loadOrCreate(dir);
    KeyStore.createNext(dir);
    KeyStore.commitNext(dir);
    NoisePrivateKey current = KeyStore.loadNodeKeys(dir).current();
    // deletePrevious renamed previous.key aside and was killed while zeroing it.
    Files.move(dir.resolve(KeyStore.PREVIOUS_FILE), dir.resolve(KeyStore.DROPPED_FILE));
    Files.write(dir.resolve(KeyStore.DROPPED_FILE), new byte[20], StandardOpenOption.WRITE);

    NodeKeys keys = KeyStore.loadNodeKeys(dir);

    assertThat(keys.current().publicKey()).isEqualTo(current.publicKey());
    assertThat(keys.second()).isNull();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(KeyStore.FILE);
    }
  }

  /**
   * A next key's write killed after it wrote its temporary file and before the rename leaves a
   * whole key in {@code .next.key.*.tmp}: the next start zeroes it before deleting it. A second
   * name for the same file (a hard link) shows what its blocks hold once the leftover is gone.
   */
  @Test
  void aKeyWriteKilledBeforeItsRenameLeavesAFileThatIsZeroedThenDeleted() throws Exception {
    NoisePrivateKey current = KeyStore.loadOrCreate(dir);
    String secret = NoisePrivateKey.generate(new java.security.SecureRandom()).toBase64() + "\n";
    Path leftover = dir.resolve(".next.key.4242424242.tmp");
    Files.createFile(
        leftover,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(leftover, secret, StandardCharsets.US_ASCII);
    Path sameFile = dir.resolve("same-file-as-the-leftover");
    Files.createLink(sameFile, leftover);

    NodeKeys keys = KeyStore.loadNodeKeys(dir);

    assertThat(keys.current().publicKey()).isEqualTo(current.publicKey());
    assertThat(keys.next()).as("no next key from a write that never finished").isNull();
    assertThat(leftover).doesNotExist();
    byte[] after = Files.readAllBytes(sameFile);
    assertThat(after).hasSizeGreaterThanOrEqualTo(secret.length());
    assertThat(new String(after, StandardCharsets.US_ASCII)).doesNotContain(secret.strip());
    for (byte b : after) {
      assertThat(b).as("the leftover's bytes were overwritten with zeros").isZero();
    }
  }

  @Test
  void bothANextAndAPreviousKeyIsRefusedWithTheWayOut() throws Exception {
    KeyStore.loadOrCreate(dir);
    KeyStore.createNext(dir);
    Files.copy(dir.resolve(KeyStore.FILE), dir.resolve(KeyStore.PREVIOUS_FILE));
    Files.setPosixFilePermissions(
        dir.resolve(KeyStore.PREVIOUS_FILE), PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> KeyStore.loadNodeKeys(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("remove " + KeyStore.NEXT_FILE);
  }
}
