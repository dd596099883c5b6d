package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;
import java.util.Objects;

/** When the nodes' WireGuard keys are rotated (docs/key-rotation.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeyRotationSpec {
  /** The shortest interval: a typo such as 720ms or 720s instead of 720h is refused. */
  public static final Duration MINIMUM_INTERVAL = Duration.ofMinutes(1);

  public static final Duration DEFAULT_EXTERNAL_GRACE_PERIOD = Duration.ofDays(7);

  /**
   * On a node's WireGuardPeer: a new value rotates that node's key now; the same value does
   * nothing.
   */
  public static final String ROTATE_KEY_ANNOTATION = "wiremesh.dev/rotate-key";

  static final String DURATION = "^([0-9]+(ms|s|m|h))+$";

  @Pattern(DURATION)
  @ValidationRule(
      value = "duration(self) >= duration('60s')",
      message =
          "interval must be at least 1m (a duration such as 720h); shorter ones would rotate keys"
              + " continuously")
  @JsonPropertyDescription(
      "How often every node's key is rotated, as a duration such as 720h (30 days); at least 1m."
          + " Nodes are rotated one at a time. Absent: keys are rotated only on demand (annotate a"
          + " node's WireGuardPeer with wiremesh.dev/rotate-key=<any new value>).")
  private String interval;

  @Pattern(DURATION)
  @JsonPropertyDescription(
      "How long a rotated gateway node still answers its previous key for external peers that"
          + " have not yet taken their refreshed wg-quick configuration, as a duration; default"
          + " 168h (7 days). 0s drops it as soon as every node has the new key.")
  private String externalGracePeriod;

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getExternalGracePeriod() {
    return externalGracePeriod;
  }

  public void setExternalGracePeriod(String externalGracePeriod) {
    this.externalGracePeriod = externalGracePeriod;
  }

  /** The interval, or null for none. */
  public Duration effectiveInterval() {
    return interval == null ? null : parse(interval);
  }

  public Duration effectiveExternalGracePeriod() {
    return externalGracePeriod == null ? DEFAULT_EXTERNAL_GRACE_PERIOD : parse(externalGracePeriod);
  }

  /**
   * A Kubernetes-style duration made of ms, s, m and h parts (such as 1h30m).
   *
   * @throws IllegalArgumentException naming what is valid
   */
  public static Duration parse(String text) {
    if (text == null || !text.matches(DURATION)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 720h, 90m or 1h30m (units ms, s, m, h)");
    }
    Duration d = Duration.ZERO;
    var m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)").matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    return d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRotationSpec k
        && Objects.equals(interval, k.interval)
        && Objects.equals(externalGracePeriod, k.externalGracePeriod);
  }

  @Override
  public int hashCode() {
    return Objects.hash(interval, externalGracePeriod);
  }
}
