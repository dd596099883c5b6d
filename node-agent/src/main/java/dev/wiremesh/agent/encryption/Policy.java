package dev.wiremesh.agent.encryption;

import dev.wiremesh.api.agent.EncryptionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An {@link EncryptionPolicy} that passed validation.
 *
 * @param required true for Required, false for Preferred
 * @param table the agent's own table (family inet)
 * @param apiServers the API server's addresses, exempt
 */
public record Policy(boolean required, String table, List<ApiServer> apiServers) {
  /** nft accepts names up to 255 characters; the operator writes wiremesh-&lt;mesh&gt;. */
  private static final Pattern TABLE =
      Pattern.compile("^wiremesh-[a-z0-9]([-a-z0-9.]{0,244}[a-z0-9])?$");

  public Policy {
    apiServers = List.copyOf(apiServers);
  }

  /** A policy field at fault: {@code field} is relative to the policy ({@code apiServers[1]}). */
  public static final class InvalidPolicyException extends Exception {
    private final String field;

    InvalidPolicyException(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** Checks and parses {@code p}; the first error names its field and what is valid. */
  public static Policy parse(EncryptionPolicy p) throws InvalidPolicyException {
    boolean required;
    if (EncryptionPolicy.REQUIRED.equals(p.mode())) {
      required = true;
    } else if (EncryptionPolicy.PREFERRED.equals(p.mode())) {
      required = false;
    } else {
      throw new InvalidPolicyException(
          "mode", "must be Preferred or Required, got '" + p.mode() + "'");
    }
    if (p.table() == null || !TABLE.matcher(p.table()).matches()) {
      throw new InvalidPolicyException(
          "table",
          "must be wiremesh- followed by the mesh's name (lower-case letters, digits, '-' and '.',"
              + " at most 255 characters in all), got '"
              + p.table()
              + "'");
    }
    List<ApiServer> servers = new ArrayList<>();
    for (int i = 0; i < p.apiServers().size(); i++) {
      try {
        servers.add(ApiServer.parse(p.apiServers().get(i)));
      } catch (IllegalArgumentException e) {
        throw new InvalidPolicyException("apiServers[" + i + "]", e.getMessage());
      }
    }
    return new Policy(required, p.table(), servers);
  }
}
