package dev.wiremesh.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.api.crd.v1alpha1.WireGuardPeer;
import dev.wiremesh.cli.CliException;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The resources of {@code plan -f}: one or many YAML or JSON documents (a List's items count each),
 * of the kinds a plan can change — WireGuardMesh, WireGuardPeer, and the Secrets their preshared
 * keys are in.
 *
 * @param source the file's name as the user gave it, for messages
 */
public record ChangeSet(String source, List<Document> documents) {

  /** The resources as the model's classes, once the API server's checks passed. */
  public record Resources(
      List<WireGuardMesh> meshes, List<WireGuardPeer> peers, List<Secret> secrets) {}

  /** One resource as written (what the API server would validate) with its position. */
  public record Document(int index, String kind, String name, JsonNode json) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String GROUP_VERSION = "wiremesh.dev/v1alpha1";
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** Reads every document of {@code in}; errors name the source, the document and the field. */
  public static ChangeSet read(String source, InputStream in) {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(in)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d == null || d.isNull() || d.isMissingNode()) {
          continue;
        }
        if ("List".equals(d.path("kind").asText()) && d.path("items").isArray()) {
          d.path("items").forEach(docs::add);
        } else {
          docs.add(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new CliException(source + ": not valid YAML or JSON: " + firstLine(e.getMessage()));
    }
    if (docs.isEmpty()) {
      throw new CliException(source + ": no resources in it");
    }
    List<Document> documents = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      JsonNode d = docs.get(i);
      String where = source + " document " + (i + 1);
      if (!d.isObject()) {
        throw new CliException(where + ": not a resource (an object with apiVersion and kind)");
      }
      String kind = d.path("kind").asText("");
      String apiVersion = d.path("apiVersion").asText("");
      String name = d.path("metadata").path("name").asText("");
      if (kind.isEmpty() || apiVersion.isEmpty()) {
        throw new CliException(where + ": apiVersion and kind are required");
      }
      if (name.isEmpty()) {
        throw new CliException(where + " (" + kind + "): metadata.name is required");
      }
      if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
        throw new CliException(
            where
                + " ("
                + kind
                + "): metadata.name: Invalid value: \""
                + name
                + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
                + " characters, '-' or '.', and must start and end with an alphanumeric character");
      }
      switch (kind) {
        case "WireGuardMesh", "WireGuardPeer" -> {
          if (!apiVersion.equals(GROUP_VERSION)) {
            throw new CliException(
                where + ": " + kind + " has apiVersion " + GROUP_VERSION + ", not " + apiVersion);
          }
        }
        case "Secret" -> {
          if (!apiVersion.equals("v1")) {
            throw new CliException(where + ": a Secret's apiVersion is v1, not " + apiVersion);
          }
          if (d.path("metadata").path("namespace").asText("").isEmpty()) {
            throw new CliException(
                where
                    + " (Secret "
                    + name
                    + "): metadata.namespace is required here (the plan does not guess"
                    + " the namespace a preshared key is read from)");
          }
        }
        default ->
            throw new CliException(
                where
                    + ": kind "
                    + kind
                    + " is not one a plan can change (WireGuardMesh, WireGuardPeer, or a Secret"
                    + " holding a preshared key)");
      }
      documents.add(new Document(i + 1, kind, name, d));
    }
    return new ChangeSet(source, documents);
  }

  /** The documents as the model's classes; call once they passed the API server's checks. */
  public Resources resources() {
    List<WireGuardMesh> meshes = new ArrayList<>();
    List<WireGuardPeer> peers = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    for (Document d : documents) {
      try {
        switch (d.kind()) {
          case "WireGuardMesh" -> meshes.add(JSON.treeToValue(d.json(), WireGuardMesh.class));
          case "WireGuardPeer" -> peers.add(JSON.treeToValue(d.json(), WireGuardPeer.class));
          default -> secrets.add(JSON.treeToValue(d.json(), Secret.class));
        }
      } catch (IOException e) {
        throw new CliException(
            source
                + " document "
                + d.index()
                + " ("
                + d.kind()
                + " "
                + d.name()
                + "): "
                + firstLine(e.getMessage()));
      }
    }
    return new Resources(meshes, peers, secrets);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
