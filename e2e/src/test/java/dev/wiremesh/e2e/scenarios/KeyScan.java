package dev.wiremesh.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.e2e.localmesh.LocalMesh;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * No secret in a log or a resource: from the start of a local mesh, every node private key its
 * agents hold is sampled from their state folders twice a second (so rotated and next keys too); at
 * the end, those keys, the external peers' private keys the scenarios made ({@link
 * MeshScenarios#GENERATED_PRIVATE_KEYS}) and every preshared key a {@code WireGuardPeer} refers to
 * are looked for, in base64 as wg prints them and in hex as UAPI does, in every log of the run
 * (operators, agents) and every object of the API server (WireMesh resources, Events, Pods, Nodes,
 * Leases, ConfigMaps; Secrets too for private keys: preshared keys belong in their own Secrets and
 * the peers' wg-quick files).
 */
final class KeyScan implements AutoCloseable {
  private final LocalMesh mesh;
  private final Set<String> nodeKeys = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("key-sampler").unstarted(r));

  private KeyScan(LocalMesh mesh) {
    this.mesh = mesh;
  }

  /** Starts sampling the agents' keys of a mesh that has just started. */
  static KeyScan watch(LocalMesh mesh) {
    KeyScan scan = new KeyScan(mesh);
    scan.sampler.scheduleWithFixedDelay(scan::sampleNodeKeys, 0, 500, TimeUnit.MILLISECONDS);
    return scan;
  }

  private void sampleNodeKeys() {
    try (var files = Files.walk(mesh.options().stateDir(), 3)) {
      for (Path f :
          files
              .filter(f -> f.toString().endsWith(".key"))
              .filter(f -> f.getParent().getFileName().toString().equals("state"))
              .toList()) {
        try {
          String key = Files.readString(f).strip();
          if (key.matches("[A-Za-z0-9+/]{43}=")) { // not a previous key being zeroed
            nodeKeys.add(key);
          }
        } catch (IOException e) {
          // replaced or deleted while read: the next round sees what took its place
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // a node folder removed while walked: the next round
    }
  }

  /** Scans everything and fails naming each key found (by its first characters) and where. */
  void assertNoPrivateOrPresharedKeyAppears() throws IOException {
    sampleNodeKeys();
    Map<String, String> privateKeys = new TreeMap<>();
    nodeKeys.forEach(k -> privateKeys.put(k, "a node's private key"));
    MeshScenarios.GENERATED_PRIVATE_KEYS.forEach(
        k -> privateKeys.put(k, "an external peer's private key"));
    assertThat(nodeKeys)
        .as("node keys seen: every node's, and those rotations made")
        .hasSizeGreaterThanOrEqualTo(mesh.nodes().size());
    KubernetesClient c = mesh.client();
    Map<String, String> psks = new TreeMap<>();
    for (WireGuardPeer p : c.resources(WireGuardPeer.class).list().getItems()) {
      var ref = p.getSpec().getPresharedKeySecretRef();
      if (ref == null) {
        continue;
      }
      Secret s = c.secrets().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
      String psk = s == null ? null : plainData(s).get(ref.effectiveKey());
      if (psk != null && !psk.isBlank()) {
        psks.put(psk.strip(), "the preshared key of " + p.getMetadata().getName());
      }
    }

    // The operators' logs beside the nodes' folders, each agent's in its node's folder (listed,
    // not walked: an agent may be replacing a file of its state meanwhile).
    Map<String, String> logs = new TreeMap<>();
    try (var top = Files.list(mesh.options().stateDir())) {
      for (Path f : top.toList()) {
        Path log = f.getFileName().toString().endsWith(".log") ? f : f.resolve("agent.log");
        if (Files.isRegularFile(log)) {
          logs.put(log.toString(), Files.readString(log));
        }
      }
    }
    assertThat(logs.keySet())
        .as("the logs of the operator and of every agent")
        .anyMatch(f -> f.endsWith("operator.log"))
        .anyMatch(f -> f.endsWith("agent.log"));
    var json = c.getKubernetesSerialization();
    Map<String, String> objects = new TreeMap<>();
    for (String kind : List.of("WireGuardMesh", "WireGuardPeer")) {
      c.genericKubernetesResources("wiremesh.dev/v1alpha1", kind)
          .list()
          .getItems()
          .forEach(r -> objects.put(kind + " " + r.getMetadata().getName(), json.asJson(r)));
    }
    c.v1()
        .events()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("Event " + o.getMetadata().getName(), json.asJson(o)));
    c.pods()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("Pod " + o.getMetadata().getName(), json.asJson(o)));
    c.nodes()
        .list()
        .getItems()
        .forEach(o -> objects.put("Node " + o.getMetadata().getName(), json.asJson(o)));
    c.configMaps()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("ConfigMap " + o.getMetadata().getName(), json.asJson(o)));
    c.leases()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(o -> objects.put("Lease " + o.getMetadata().getName(), json.asJson(o)));
    Map<String, String> secrets = new TreeMap<>();
    for (Secret secret : c.secrets().inAnyNamespace().list().getItems()) {
      secrets.put(
          "Secret " + secret.getMetadata().getName(),
          json.asJson(secret) + "\n" + String.join("\n", plainData(secret).values()));
    }
    assertThat(objects.keySet()).anyMatch(k -> k.startsWith("WireGuardPeer "));

    List<String> hits = new ArrayList<>();
    Map<String, String> everywhere = new TreeMap<>(logs);
    everywhere.putAll(objects);
    hits.addAll(find(privateKeys, everywhere));
    hits.addAll(find(privateKeys, secrets));
    hits.addAll(find(psks, everywhere));
    System.out.printf(
        "key scan: %d private keys (%d of nodes) and %d preshared keys, in %d logs (%d KB) and %d"
            + " objects: %d hits%n",
        privateKeys.size(),
        nodeKeys.size(),
        psks.size(),
        logs.size(),
        logs.values().stream().mapToLong(String::length).sum() / 1024,
        objects.size() + secrets.size(),
        hits.size());
    assertThat(hits).as("secrets found where they must never be").isEmpty();
  }

  /** A Secret's values in plain text, from data (base64) and stringData (as applied). */
  static Map<String, String> plainData(Secret s) {
    Map<String, String> out = new TreeMap<>();
    if (s.getData() != null) {
      s.getData()
          .forEach(
              (k, v) ->
                  out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    return out;
  }

  /** Where a key (base64 as wg prints it, or hex as UAPI does) occurs: "what in where, line n". */
  static List<String> find(Map<String, String> keys, Map<String, String> texts) {
    List<String> hits = new ArrayList<>();
    keys.forEach(
        (key, what) -> {
          List<String> forms = new ArrayList<>(List.of(key));
          try {
            String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(key));
            forms.addAll(List.of(hex, hex.toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            // not base64 (a preshared key the agent would refuse): looked for as it is
          }
          texts.forEach(
              (where, text) -> {
                for (String form : forms) {
                  int at = text.indexOf(form);
                  if (at >= 0) {
                    long line = text.substring(0, at).lines().count();
                    // The key itself stays out of the report: its first characters identify it.
                    hits.add(
                        what + " " + key.substring(0, 6) + "... in " + where + ", line " + line);
                  }
                }
              });
        });
    return hits;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }

  /** Stops a test class's scan, then its mesh; either may be null (a start that failed). */
  static void close(KeyScan scan, LocalMesh mesh) {
    if (scan != null) {
      scan.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }
}
