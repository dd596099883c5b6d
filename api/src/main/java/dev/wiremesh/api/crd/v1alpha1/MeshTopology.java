package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * How the mesh's nodes are connected: a full mesh, or locations (one cloud, one data centre, one
 * site) whose leaders carry the traffic between locations.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.mode) && self.mode == 'Locations') || (!has(self.locationLabel) &&"
            + " !has(self.intraLocation))",
    message = "topology: locationLabel and intraLocation apply only with mode: Locations")
public class MeshTopology {

  /** The node label the location is read from unless the mesh names another. */
  public static final String DEFAULT_LOCATION_LABEL = "topology.kubernetes.io/zone";

  /** The Node annotation that marks a node as its location's preferred leader ("true"). */
  public static final String LEADER_ANNOTATION = "wiremesh.dev/leader";

  /** How nodes are connected. */
  public enum Mode {
    FullMesh,
    Locations
  }

  /** What carries the traffic between two nodes of one location. */
  public enum IntraLocation {
    Encrypted,
    Direct
  }

  @Default("FullMesh")
  @JsonPropertyDescription(
      "FullMesh (the default): every node has a WireGuard tunnel to every other node. Locations:"
          + " the nodes are grouped by locationLabel; in each location one leader has tunnels to the"
          + " other locations' leaders, and the location's other nodes reach other locations through"
          + " their leader.")
  private Mode mode;

  @Size(max = 316)
  @ValidationRule(
      value =
          "self.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$')",
      message =
          "topology.locationLabel must be a label key such as topology.kubernetes.io/zone: an"
              + " optional DNS prefix and '/', then 1-63 letters, digits, '-', '_' or '.', starting"
              + " and ending with a letter or digit")
  @JsonPropertyDescription(
      "With mode Locations: the Node label whose value names a node's location. Default"
          + " topology.kubernetes.io/zone. A node without the label is a location of its own.")
  private String locationLabel;

  @JsonPropertyDescription(
      "With mode Locations: Encrypted (the default) keeps a WireGuard tunnel between every two"
          + " nodes of a location; Direct has none inside a location: nodes of one location reach"
          + " each other and their leader over the location's own network, unencrypted, and only"
          + " traffic between locations is encrypted.")
  private IntraLocation intraLocation;

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public String getLocationLabel() {
    return locationLabel;
  }

  public void setLocationLabel(String locationLabel) {
    this.locationLabel = locationLabel;
  }

  public IntraLocation getIntraLocation() {
    return intraLocation;
  }

  public void setIntraLocation(IntraLocation intraLocation) {
    this.intraLocation = intraLocation;
  }

  public Mode effectiveMode() {
    return mode == null ? Mode.FullMesh : mode;
  }

  public String effectiveLocationLabel() {
    return locationLabel == null ? DEFAULT_LOCATION_LABEL : locationLabel;
  }

  public IntraLocation effectiveIntraLocation() {
    return intraLocation == null ? IntraLocation.Encrypted : intraLocation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MeshTopology t
        && mode == t.mode
        && Objects.equals(locationLabel, t.locationLabel)
        && intraLocation == t.intraLocation;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, locationLabel, intraLocation);
  }
}
