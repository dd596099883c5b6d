package dev.wiremesh.api.crd.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A WireGuard mesh between the nodes it selects, which external peers may join. Cluster-scoped. */
@Group(WireGuardMesh.GROUP)
@Version(WireGuardMesh.VERSION)
@Kind("WireGuardMesh")
@Singular("wireguardmesh")
@Plural("wireguardmeshes")
@ShortNames("wgm")
@AdditionalPrinterColumn(
    name = "NODES",
    jsonPath = ".status.nodes",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.readyNodes",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "ENCRYPTION",
    jsonPath = ".status.encryption",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class WireGuardMesh extends CustomResource<WireGuardMeshSpec, WireGuardMeshStatus> {
  public static final String GROUP = "wiremesh.dev";
  public static final String VERSION = "v1alpha1";
}
