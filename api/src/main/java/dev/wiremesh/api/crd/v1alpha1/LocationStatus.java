package dev.wiremesh.api.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One location of a mesh in mode Locations, as the operator last planned it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocationStatus {
  @JsonPropertyDescription(
      "The location: the value of the mesh's location label, or the node's name for a node"
          + " without the label.")
  private String name;

  @JsonPropertyDescription(
      "The node that carries the location's traffic to the other locations' leaders.")
  private String leader;

  @JsonPropertyDescription("The mesh's nodes in this location, the leader included.")
  private Integer nodes;

  public LocationStatus() {}

  public LocationStatus(String name, String leader, int nodes) {
    this.name = name;
    this.leader = leader;
    this.nodes = nodes;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getLeader() {
    return leader;
  }

  public void setLeader(String leader) {
    this.leader = leader;
  }

  public Integer getNodes() {
    return nodes;
  }

  public void setNodes(Integer nodes) {
    this.nodes = nodes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LocationStatus s
        && Objects.equals(name, s.name)
        && Objects.equals(leader, s.leader)
        && Objects.equals(nodes, s.nodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, leader, nodes);
  }

  @Override
  public String toString() {
    return name + "(leader " + leader + ", " + nodes + " node(s))";
  }
}
