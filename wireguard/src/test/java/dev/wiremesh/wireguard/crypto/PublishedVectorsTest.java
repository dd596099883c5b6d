package dev.wiremesh.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Our adapters on published test vectors: RFC 8439, RFC 7748, BLAKE2s, wireguard-go's KDF. */
class PublishedVectorsTest {
  static final HexFormat HEX = HexFormat.of();

  static byte[] hex(String s) {
    return HEX.parseHex(s.replace(" ", ""));
  }

  @Test
  void rfc8439Section282AeadVector() {
    byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = hex("070000004041424344454647");
    byte[] ad = hex("50515253c0c1c2c3c4c5c6c7");
    byte[] plaintext =
        ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                + " future, sunscreen would be it.")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = ChaCha20Poly1305.sealWithNonce(key, nonce, plaintext, ad);
    assertThat(HEX.formatHex(sealed))
        .isEqualTo(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116"
                + "1ae10b594f09e26a7e902ecbd0600691");
  }

  @Test
  void whitepaperNonceLayoutIsFourZeroBytesThenTheLittleEndianCounter() throws Exception {
    byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] msg = "packet".getBytes(StandardCharsets.US_ASCII);
    long counter = 0x0807060504030201L;
    byte[] viaCounter = ChaCha20Poly1305.seal(key, counter, msg, new byte[0]);
    // The JDK's cipher, given the nonce spelled out, opens it: 00000000 ‖ 0102030405060708.
    javax.crypto.Cipher jdk = javax.crypto.Cipher.getInstance("ChaCha20-Poly1305");
    jdk.init(
        javax.crypto.Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(key, "ChaCha20"),
        new javax.crypto.spec.IvParameterSpec(hex("000000000102030405060708")));
    assertThat(jdk.doFinal(viaCounter)).isEqualTo(msg);
    assertThat(ChaCha20Poly1305.open(key, counter, viaCounter, new byte[0])).isEqualTo(msg);
    viaCounter[0] ^= 1;
    assertThat(ChaCha20Poly1305.open(key, counter, viaCounter, new byte[0])).isNull();
  }

  @Test
  void rfc7748Section52X25519Vectors() {
    assertThat(
            dh(
                "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
        .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    assertThat(
            dh(
                "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))
        .isEqualTo("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
  }

  static String dh(String scalar, String u) {
    return HEX.formatHex(
        X25519.dh(new NoisePrivateKey(hex(scalar)), new NoisePublicKey(hex(u))).orElseThrow());
  }

  @Test
  void rfc7748Section61DiffieHellman() {
    NoisePrivateKey alice =
        new NoisePrivateKey(
            hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    NoisePrivateKey bob =
        new NoisePrivateKey(
            hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    assertThat(alice.publicKey().toHex())
        .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    assertThat(bob.publicKey().toHex())
        .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertThat(HEX.formatHex(X25519.dh(alice, bob.publicKey()).orElseThrow())).isEqualTo(shared);
    assertThat(HEX.formatHex(X25519.dh(bob, alice.publicKey()).orElseThrow())).isEqualTo(shared);
  }

  @Test
  void lowOrderPointsGiveNoSharedSecret() {
    NoisePrivateKey k =
        new NoisePrivateKey(
            hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    for (String point :
        new String[] {
          "0000000000000000000000000000000000000000000000000000000000000000",
          "0100000000000000000000000000000000000000000000000000000000000000",
          "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
          "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
          "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
          "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
          "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        }) {
      assertThat(X25519.dh(k, new NoisePublicKey(hex(point)))).as(point).isEmpty();
    }
  }

  @Test
  void blake2sUnkeyedVectors() {
    assertThat(HEX.formatHex(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    assertThat(HEX.formatHex(Blake2s.hash(new byte[0])))
        .isEqualTo("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
    assertThat(Blake2s.hash("a".getBytes(), "bc".getBytes()))
        .isEqualTo(Blake2s.hash("abc".getBytes()));
  }

  @Test
  void blake2sKeyedVectorsAndTheSixteenByteMac() {
    byte[] key = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
    }
    // blake2s-kat.txt (keyed, 32-byte digest): inputs of length 0 and 1 (00).
    assertThat(HEX.formatHex(Blake2s.keyedHash(key, 32, new byte[0], 0, 0)))
        .isEqualTo("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
    assertThat(HEX.formatHex(Blake2s.keyedHash(key, 32, new byte[] {0}, 0, 1)))
        .isEqualTo("40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1");
    // MAC is a 16-byte digest: the length is a BLAKE2s parameter, not a truncation.
    byte[] mac = Blake2s.mac(key, new byte[] {0});
    assertThat(mac).hasSize(16);
    assertThat(mac)
        .isNotEqualTo(
            java.util.Arrays.copyOf(Blake2s.keyedHash(key, 32, new byte[] {0}, 0, 1), 16));
  }

  @Test
  void wireguardGoKdfVectors() {
    String[][] cases = {
      {
        "746573742d6b6579",
        "746573742d696e707574",
        "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
        "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
        "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24"
      },
      {
        "776972656775617264",
        "776972656775617264",
        "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
        "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
        "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160"
      },
      {
        "",
        "",
        "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
        "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
        "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e"
      },
    };
    for (String[] c : cases) {
      byte[][] three = Blake2s.kdf(3, hex(c[0]), hex(c[1]));
      assertThat(HEX.formatHex(three[0])).isEqualTo(c[2]);
      assertThat(HEX.formatHex(three[1])).isEqualTo(c[3]);
      assertThat(HEX.formatHex(three[2])).isEqualTo(c[4]);
      byte[][] two = Blake2s.kdf(2, hex(c[0]), hex(c[1]));
      assertThat(HEX.formatHex(two[1])).isEqualTo(c[3]);
      assertThat(HEX.formatHex(Blake2s.kdf(1, hex(c[0]), hex(c[1]))[0])).isEqualTo(c[2]);
    }
  }

  @Test
  void xchachaRoundTripsAndRefusesTampering() {
    byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = hex("404142434445464748494a4b4c4d4e4f5051525354555657");
    byte[] ad = hex("50515253c0c1c2c3c4c5c6c7");
    byte[] sealed = XChaCha20Poly1305.seal(key, nonce, "cookie".getBytes(), ad);
    assertThat(sealed).hasSize(6 + 16);
    assertThat(XChaCha20Poly1305.open(key, nonce, sealed, ad)).isEqualTo("cookie".getBytes());
    sealed[3] ^= 1;
    assertThat(XChaCha20Poly1305.open(key, nonce, sealed, ad)).isNull();
  }

  @Test
  void tai64nEncodingAndOrder() {
    Instant t = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
    byte[] a = Tai64n.of(t);
    // seconds + 2^62 + 10, big-endian; nanoseconds rounded down to a multiple of 2^24.
    assertThat(HEX.formatHex(a, 0, 8))
        .isEqualTo(String.format("%016x", (1L << 62) + 10 + 1_700_000_000L));
    int nanos = (a[8] & 0xff) << 24 | (a[9] & 0xff) << 16 | (a[10] & 0xff) << 8 | (a[11] & 0xff);
    assertThat(nanos).isEqualTo(123_456_789 & ~((1 << 24) - 1));
    assertThat(Tai64n.after(Tai64n.of(t.plusMillis(100)), a)).isTrue();
    assertThat(Tai64n.after(a, a)).isFalse();
    assertThat(Tai64n.after(Tai64n.of(t.plusMillis(1)), a)).as("within one 2^24 ns step").isFalse();
  }

  @Test
  void keysNeverPrintTheirSecretBytes() {
    NoisePrivateKey k = NoisePrivateKey.generate(new java.security.SecureRandom());
    assertThat(k.toString()).doesNotContain(k.toBase64()).doesNotContain(k.toHex());
    PresharedKey psk = PresharedKey.generate(new java.security.SecureRandom());
    assertThat(psk.toString()).doesNotContain(psk.toBase64()).contains("redacted");
    assertThat(new NoisePublicKey(k.publicKey().toBytes())).isEqualTo(k.publicKey());
  }
}
