package dev.wiremesh.api.crd.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One member of a mesh: a node (written by the operator) or an external peer (written by a user,
 * with the public key of a private key that never leaves the peer). Cluster-scoped.
 */
@Group(WireGuardMesh.GROUP)
@Version(WireGuardMesh.VERSION)
@Kind("WireGuardPeer")
@Singular("wireguardpeer")
@Plural("wireguardpeers")
@ShortNames("wgp")
@AdditionalPrinterColumn(
    name = "MESH",
    jsonPath = ".spec.mesh",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "NODE",
    jsonPath = ".spec.node",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ADDRESS",
    jsonPath = ".status.address",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ROLE",
    jsonPath = ".status.role",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ENDPOINT",
    jsonPath = ".status.endpoint",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "HANDSHAKE",
    jsonPath = ".status.lastHandshakeTime",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ROTATION",
    jsonPath = ".status.keyRotation.phase",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 0)
public class WireGuardPeer extends CustomResource<WireGuardPeerSpec, WireGuardPeerStatus> {}
