package dev.wiremesh.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.wiremesh.agent.AgentSettings;
import dev.wiremesh.api.crd.v1alpha1.WireGuardMesh;
import dev.wiremesh.e2e.chart.Chart.Doc;
import dev.wiremesh.e2e.chart.Chart.Rendered;
import dev.wiremesh.operator.agent.AgentDiscovery;
import dev.wiremesh.operator.pki.PkiSecrets;
import dev.wiremesh.operator.reconcile.OperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart helm/wiremesh as a user meets it: {@code helm lint} and {@code helm template}
 * (helm-java, in-process), the manifests parsed with Fabric8 and held against what the operator and
 * the agent actually read (their config mappings and application.properties), the operator's
 * least-privilege RBAC (operator/src/main/kubernetes/rbac.yml) and the CRDs in crds/.
 */
class HelmChartTest {

  /** Non-default values: custom images and ports, a chart PriorityClass, a mesh, monitoring. */
  static final String CUSTOM_VALUES =
      """
      nameOverride: vpn
      imagePullSecrets: [{name: regcred}]
      operator:
        image: {repository: registry.example.com/wm/operator, tag: "1.2.3", pullPolicy: Always}
        replicas: 2
        priorityClassName: ops-critical
      agent:
        image: {repository: registry.example.com/wm/agent, tag: "1.2.3-rc1", pullPolicy: Always}
        apiPort: 19443
        metricsPort: 19090
        endpoints: [203.0.113.10, "2001:db8::10"]
        tolerations: [{key: dedicated, operator: Equal, value: vpn, effect: NoSchedule}]
        nodeSelector: {wiremesh.dev/agent: "true"}
      priorityClass: {create: true, name: wiremesh-agents, value: 900000000}
      metrics:
        service: {port: 9191}
        serviceMonitor: {enabled: true, interval: 15s, labels: {release: prom}}
      mesh:
        create: true
        name: corp
        addressPools: [10.200.0.0/16, "fd00:200::/64"]
        externalPeerPools: [10.200.128.0/20]
        listenPort: 51821
        mtu: 1420
        interfaceName: wmcorp
        persistentKeepalive: 25
        routePodCIDRs: true
        gatewaySelector: {matchLabels: {wiremesh.dev/gateway: "true"}}
        nodeSelector:
          matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: DoesNotExist}]
      """;

  static Rendered defaults;
  static Rendered custom;
  static String appVersion;

  @BeforeAll
  static void render() throws IOException {
    defaults = Chart.template(Map.of());
    custom = Chart.template(Map.of(), CUSTOM_VALUES);
    appVersion =
        Chart.YAML.readTree(Chart.DIR.resolve("Chart.yaml").toFile()).get("appVersion").asText();
  }

  // ---- lint and values schema

  @Test
  void lintPassesStrictly() {
    LintResult lint = new Helm(Chart.DIR).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void lintFailsOnAValueOfTheWrongTypeAndNamesIt(@TempDir Path tmp) throws IOException {
    Path copy = copyChart(tmp);
    Path values = copy.resolve("values.yaml");
    String original = Files.readString(values);
    String broken =
        original.replace("  tolerations:\n    - operator: Exists\n", "  tolerations: all\n");
    assertThat(broken).isNotEqualTo(original);
    Files.writeString(values, broken);

    LintResult lint = new Helm(copy).lint().call();

    assertThat(lint.isFailed()).isTrue();
    assertThat(String.join("\n", lint.getMessages()))
        .contains("/agent/tolerations")
        .contains("want array");
  }

  @Test
  void wrongTypesAndMisspelledKeysFailTheInstallNamingTheField() {
    assertThatThrownBy(() -> Chart.template(Map.of("agent.apiPort", "https")))
        .hasMessageContaining("/agent/apiPort")
        .hasMessageContaining("want integer");
    assertThatThrownBy(() -> Chart.template(Map.of("mesh.listenPort", "70000")))
        .hasMessageContaining("/mesh/listenPort");
    assertThatThrownBy(() -> Chart.template(Map.of("mesh.create", "yes")))
        .hasMessageContaining("/mesh/create")
        .hasMessageContaining("want boolean");
    assertThatThrownBy(() -> Chart.template(Map.of("agent.tolerationz[0].operator", "Exists")))
        .hasMessageContaining("tolerationz");
  }

  @Test
  void serviceMonitorWithoutTheMetricsServiceIsRefused() {
    assertThatThrownBy(
            () ->
                Chart.template(
                    Map.of(
                        "metrics.service.enabled", "false",
                        "metrics.serviceMonitor.enabled", "true")))
        .hasMessageContaining("metrics.serviceMonitor.enabled needs metrics.service.enabled");
  }

  // ---- CRDs

  @Test
  void theChartShipsTheGeneratedCrdsByteForByte() throws IOException {
    Path generated = Chart.ROOT.resolve("crds");
    Path shipped = Chart.DIR.resolve("crds");
    String recopy = "copy them again: cp crds/*.yml helm/wiremesh/crds/ (from the repository root)";
    assertThat(yamlFiles(shipped)).as(recopy).isEqualTo(yamlFiles(generated)).isNotEmpty();
    for (String name : yamlFiles(generated)) {
      assertThat(Files.readAllBytes(shipped.resolve(name)))
          .as("helm/wiremesh/crds/%s differs from crds/%s; %s", name, name, recopy)
          .isEqualTo(Files.readAllBytes(generated.resolve(name)));
    }
  }

  // ---- default values

  @Test
  void defaultsRenderTheOperatorTheAgentsAndTheirRbacOnly() {
    assertThat(defaults.kinds())
        .containsExactly(
            "ClusterRole",
            "ClusterRoleBinding",
            "DaemonSet",
            "Deployment",
            "Role",
            "RoleBinding",
            "Service",
            "ServiceAccount",
            "ServiceAccount");
    for (Doc d : defaults.docs()) {
      if (!d.kind().startsWith("Cluster")) {
        assertThat(d.object().getMetadata().getNamespace()).as(d.name()).isEqualTo(Chart.NAMESPACE);
      }
    }
  }

  @Test
  void theAgentRunsOnTheHostNetworkWithNetAdminOnly() {
    PodSpec pod = agentPod(defaults);
    Container agent = only(pod.getContainers());

    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    var sc = agent.getSecurityContext();
    assertThat(sc.getCapabilities().getAdd()).containsExactly("NET_ADMIN");
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    // No API access: the agent has no token to leak.
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void theAgentMountsTheTunDeviceItsHostFoldersAndItsTlsSecret() {
    PodSpec pod = agentPod(defaults);
    Container agent = only(pod.getContainers());

    Volume tun = mountedAt(pod, agent, "/dev/net/tun");
    assertThat(tun.getHostPath().getPath()).isEqualTo("/dev/net/tun");
    assertThat(tun.getHostPath().getType()).isEqualTo("CharDevice");

    for (String dir : List.of("/var/lib/wiremesh", "/var/run/wireguard")) {
      Volume v = mountedAt(pod, agent, dir);
      assertThat(v.getHostPath().getPath()).as(dir).isEqualTo(dir);
      assertThat(v.getHostPath().getType()).as(dir).isEqualTo("DirectoryOrCreate");
    }

    Volume tls = mountedAt(pod, agent, "/etc/wiremesh/tls");
    assertThat(tls.getSecret().getSecretName()).isEqualTo(PkiSecrets.AGENT_SECRET);
    // Whole Secret, no subPath: the certificates the operator renews reach the running agent.
    VolumeMount tlsMount = mount(agent, "/etc/wiremesh/tls");
    assertThat(tlsMount.getReadOnly()).isTrue();
    assertThat(tlsMount.getSubPath()).isNull();
    assertThat(tls.getSecret().getItems()).isNullOrEmpty();

    // The folders the agent is told to use are the mounted ones.
    Map<String, EnvVar> env = env(agent);
    assertThat(env.get("WIREMESH_TLS_DIR").getValue()).isEqualTo("/etc/wiremesh/tls");
    assertThat(env.get("WIREMESH_AGENT_STATE_DIR").getValue()).isEqualTo("/var/lib/wiremesh");
    assertThat(env.get("WIREMESH_AGENT_UAPI_DIR").getValue()).isEqualTo("/var/run/wireguard");
  }

  @Test
  void theAgentRunsOnEveryNodeAsNodeCritical() {
    PodSpec pod = agentPod(defaults);
    // An empty key with operator Exists tolerates every taint (control planes, NoExecute too).
    assertThat(pod.getTolerations())
        .anySatisfy(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getKey()).isNull();
              assertThat(t.getEffect()).isNull();
            });
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(defaults.ofKind("PriorityClass")).isEmpty();
  }

  @Test
  void theAgentIsProbedOnItsManagementPortAndKnowsItsNode() {
    Container agent = only(agentPod(defaults).getContainers());
    assertThat(port(agent, "metrics")).isEqualTo(9090);
    assertThat(port(agent, "agent")).isEqualTo(9443);
    assertProbe(agent, agent.getLivenessProbe(), "/q/health/live", 9090);
    assertProbe(agent, agent.getReadinessProbe(), "/q/health/ready", 9090);
    // The operator pushes to agents that have started (the Pod's Ready waits for a config).
    assertProbe(agent, agent.getStartupProbe(), "/q/health/started", 9090);

    EnvVar node = env(agent).get("NODE_NAME");
    assertThat(node.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
    assertThat(agent.getImage()).isEqualTo("ghcr.io/wiremesh/wiremesh-node-agent:" + appVersion);
  }

  @Test
  void theOperatorDeployment() {
    Deployment d = defaults.one(Deployment.class);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container op = only(pod.getContainers());

    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(op.getImage()).isEqualTo("ghcr.io/wiremesh/wiremesh-operator:" + appVersion);
    EnvVar ns = env(op).get("POD_NAMESPACE");
    assertThat(ns.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    assertThat(port(op, "http")).isEqualTo(8080);
    assertProbe(op, op.getLivenessProbe(), "/q/health/live", 8080);
    assertProbe(op, op.getReadinessProbe(), "/q/health/ready", 8080);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(op.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(op.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(op.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(op.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(op.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(op.getResources().getLimits()).containsKey("memory");

    // It runs as the ServiceAccount that both bindings grant the rules to.
    String sa = pod.getServiceAccountName();
    assertThat(defaults.ofKind("ServiceAccount")).extracting(Doc::name).contains(sa);
    Subject subject = new Subject(null, "ServiceAccount", sa, Chart.NAMESPACE);
    assertThat(defaults.one(ClusterRoleBinding.class).getSubjects()).containsExactly(subject);
    assertThat(defaults.one(RoleBinding.class).getSubjects()).containsExactly(subject);
  }

  @Test
  void theEnvironmentNamesPropertiesTheAppsRead() throws IOException {
    Set<String> agentKnows = new TreeSet<>();
    configNames(AgentSettings.class).forEach(n -> agentKnows.add(toEnv(n)));
    properties("node-agent").forEach(n -> agentKnows.add(toEnv(n)));
    agentKnows.add("NODE_NAME");
    assertThat(env(only(agentPod(custom).getContainers())).keySet()).isSubsetOf(agentKnows);

    Set<String> operatorKnows = new TreeSet<>();
    configNames(OperatorConfig.class).forEach(n -> operatorKnows.add(toEnv(n)));
    properties("operator").forEach(n -> operatorKnows.add(toEnv(n)));
    operatorKnows.addAll(referencedVariables("operator"));
    operatorKnows.add(toEnv("quarkus.http.port")); // Quarkus' own, default 8080
    Container op =
        only(custom.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers());
    assertThat(env(op).keySet()).contains("POD_NAMESPACE").isSubsetOf(operatorKnows);
  }

  @Test
  void theOperatorFindsTheAgentPodsByTheirLabels() throws Exception {
    for (Rendered r : List.of(defaults, custom)) {
      DaemonSet ds = r.one(DaemonSet.class);
      Map<String, String> podLabels = ds.getSpec().getTemplate().getMetadata().getLabels();

      // The selector the chart configures, and the operator's built-in default.
      Container op =
          only(r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers());
      assertThat(podLabels)
          .containsAllEntriesOf(selector(env(op).get("WIREMESH_AGENT_SELECTOR").getValue()));
      String builtIn =
          OperatorConfig.AgentSettings.class
              .getMethod("selector")
              .getAnnotation(WithDefault.class)
              .value();
      assertThat(podLabels)
          .containsAllEntriesOf(selector(builtIn))
          .containsEntry(AgentDiscovery.AGENT_LABEL, AgentDiscovery.AGENT_LABEL_VALUE);
      assertThat(podLabels).containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());

      // The agent API port the operator falls back to, and the one it reads from the Pod.
      Container agent = only(ds.getSpec().getTemplate().getSpec().getContainers());
      assertThat(env(op).get("WIREMESH_AGENT_PORT").getValue())
          .isEqualTo(String.valueOf(port(agent, "agent")));
      assertThat(env(agent).get("QUARKUS_HTTP_SSL_PORT").getValue())
          .isEqualTo(String.valueOf(port(agent, "agent")));
      assertThat(env(agent).get("QUARKUS_MANAGEMENT_PORT").getValue())
          .isEqualTo(String.valueOf(port(agent, "metrics")));

      // The metrics Service reaches the agents' management port.
      Service svc = r.one(Service.class);
      assertThat(podLabels).containsAllEntriesOf(svc.getSpec().getSelector());
      assertThat(only(svc.getSpec().getPorts()).getTargetPort().getStrVal()).isEqualTo("metrics");
    }
  }

  @Test
  void anotherReleaseNameAndNamespaceAreFollowedEverywhere() {
    Rendered r = Chart.template("mesh-prod", "vpn-ops", Map.of(), null);
    for (Doc d : r.docs()) {
      if (!d.kind().startsWith("Cluster")) {
        assertThat(d.object().getMetadata().getNamespace()).as(d.name()).isEqualTo("vpn-ops");
      }
      assertThat(d.name()).as(d.kind()).startsWith("mesh-prod-wiremesh-");
    }
    String sa = r.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();
    Subject subject = new Subject(null, "ServiceAccount", sa, "vpn-ops");
    assertThat(r.one(ClusterRoleBinding.class).getSubjects()).containsExactly(subject);
    assertThat(r.one(RoleBinding.class).getSubjects()).containsExactly(subject);
    // The operator selects this release's agents only.
    Container op = only(r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers());
    assertThat(selector(env(op).get("WIREMESH_AGENT_SELECTOR").getValue()))
        .containsEntry("app.kubernetes.io/instance", "mesh-prod");
    assertThat(agentPod(r).getServiceAccountName()).isEqualTo("mesh-prod-wiremesh-agent");
  }

  // ---- RBAC

  @Test
  void theRbacGrantsExactlyTheRulesOfRbacYml() {
    List<HasMetadata> manifest =
        Serialization.unmarshal(Chart.read("operator/src/main/kubernetes/rbac.yml"));
    List<PolicyRule> clusterRules = rules(manifest, ClusterRole.class, ClusterRole::getRules);
    List<PolicyRule> namespaceRules = rules(manifest, Role.class, Role::getRules);
    assertThat(clusterRules).isNotEmpty();
    assertThat(namespaceRules).isNotEmpty();

    for (Rendered r : List.of(defaults, custom)) {
      ClusterRole cr = r.one(ClusterRole.class);
      Role role = r.one(Role.class);
      assertThat(normalized(cr.getRules())).isEqualTo(normalized(clusterRules));
      assertThat(normalized(role.getRules())).isEqualTo(normalized(namespaceRules));
      assertThat(r.one(ClusterRoleBinding.class).getRoleRef().getName())
          .isEqualTo(cr.getMetadata().getName());
      assertThat(r.one(RoleBinding.class).getRoleRef().getName())
          .isEqualTo(role.getMetadata().getName());
    }
    // Only the operator has an account with rules; the agent's is bare.
    assertThat(defaults.ofKind("ServiceAccount")).hasSize(2);
    assertThat(defaults.ofKind("ClusterRoleBinding")).hasSize(1);
    assertThat(defaults.ofKind("RoleBinding")).hasSize(1);
  }

  // ---- non-default values

  @Test
  void customImagesPortsPullSecretsAndPlacement() {
    DaemonSet ds = custom.one(DaemonSet.class);
    PodSpec agentPod = ds.getSpec().getTemplate().getSpec();
    Container agent = only(agentPod.getContainers());
    Deployment d = custom.one(Deployment.class);
    PodSpec opPod = d.getSpec().getTemplate().getSpec();
    Container op = only(opPod.getContainers());

    assertThat(agent.getImage()).isEqualTo("registry.example.com/wm/agent:1.2.3-rc1");
    assertThat(agent.getImagePullPolicy()).isEqualTo("Always");
    assertThat(op.getImage()).isEqualTo("registry.example.com/wm/operator:1.2.3");
    assertThat(op.getImagePullPolicy()).isEqualTo("Always");
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(opPod.getPriorityClassName()).isEqualTo("ops-critical");
    for (PodSpec pod : List.of(agentPod, opPod)) {
      assertThat(pod.getImagePullSecrets()).containsExactly(new LocalObjectReference("regcred"));
    }

    assertThat(port(agent, "agent")).isEqualTo(19443);
    assertThat(port(agent, "metrics")).isEqualTo(19090);
    assertProbe(agent, agent.getLivenessProbe(), "/q/health/live", 19090);
    assertThat(env(agent).get("WIREMESH_AGENT_ENDPOINTS").getValue())
        .isEqualTo("203.0.113.10,2001:db8::10");
    assertThat(env(only(agentPod(defaults).getContainers())))
        .doesNotContainKey("WIREMESH_AGENT_ENDPOINTS");

    assertThat(agentPod.getTolerations())
        .containsExactly(new Toleration("NoSchedule", "dedicated", "Equal", null, "vpn"));
    // Helm merges maps with the defaults: kubernetes.io/os stays unless set to null.
    assertThat(agentPod.getNodeSelector())
        .containsExactly(
            Map.entry("kubernetes.io/os", "linux"), Map.entry("wiremesh.dev/agent", "true"));
    // nameOverride renames the resources, never the label the operator finds the agents by.
    assertThat(ds.getMetadata().getName()).isEqualTo("wiremesh-vpn-agent");
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(AgentDiscovery.AGENT_LABEL, AgentDiscovery.AGENT_LABEL_VALUE);
    // The security of the agent does not depend on the values.
    assertThat(agent.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN");
    assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
  }

  @Test
  void aChartPriorityClassIsCreatedAndUsedByTheAgents() {
    PriorityClass pc = custom.one(PriorityClass.class);
    assertThat(pc.getMetadata().getName()).isEqualTo("wiremesh-agents");
    assertThat(pc.getValue()).isEqualTo(900000000);
    assertThat(pc.getGlobalDefault()).isFalse();
    assertThat(agentPod(custom).getPriorityClassName()).isEqualTo("wiremesh-agents");

    Rendered other = Chart.template(Map.of("agent.priorityClassName", "my-critical"));
    assertThat(agentPod(other).getPriorityClassName()).isEqualTo("my-critical");
    assertThat(other.ofKind("PriorityClass")).isEmpty();
  }

  // ---- the default WireGuardMesh

  @Test
  void theMeshIsRenderedOnlyWhenAskedAndFitsTheCrd() throws IOException {
    assertThat(defaults.ofKind("WireGuardMesh")).isEmpty();
    assertMeshFitsTheCrd(
        only(Chart.template(Map.of("mesh.create", "true")).ofKind("WireGuardMesh")));

    Doc doc = only(custom.ofKind("WireGuardMesh"));
    assertMeshFitsTheCrd(doc);
    WireGuardMesh mesh =
        Serialization.unmarshal(Chart.YAML.writeValueAsString(doc.tree()), WireGuardMesh.class);
    assertThat(mesh.getMetadata().getName()).isEqualTo("corp");
    assertThat(mesh.getSpec().getAddressPools()).containsExactly("10.200.0.0/16", "fd00:200::/64");
    assertThat(mesh.getSpec().getExternalPeerPools()).containsExactly("10.200.128.0/20");
    assertThat(mesh.getSpec().getListenPort()).isEqualTo(51821);
    assertThat(mesh.getSpec().getMtu()).isEqualTo(1420);
    assertThat(mesh.getSpec().getInterfaceName()).isEqualTo("wmcorp");
    assertThat(mesh.getSpec().getPersistentKeepalive()).isEqualTo(25);
    assertThat(mesh.getSpec().getRoutePodCIDRs()).isTrue();
    assertThat(mesh.getSpec().getGatewaySelector().getMatchLabels())
        .containsExactly(Map.entry("wiremesh.dev/gateway", "true"));
    assertThat(only(mesh.getSpec().getNodeSelector().getMatchExpressions()).getOperator())
        .isEqualTo("DoesNotExist");
  }

  @Test
  void theCrdCheckRejectsWhatTheApiServerWould() throws IOException {
    JsonNode spec = CrdSchema.schemaOf(meshCrd()).path("properties").path("spec");
    assertThat(
            CrdSchema.violations(
                spec, Chart.YAML.readTree("{addressPools: [10.0.0.0/8], listenport: 1}"), "spec"))
        .containsExactly("spec.listenport: not a field of the CRD (the API server would drop it)");
    assertThat(CrdSchema.violations(spec, Chart.YAML.readTree("{listenPort: \"51820\"}"), "spec"))
        .containsExactlyInAnyOrder(
            "spec.listenPort: must be an integer, is \"51820\"", "spec.addressPools: required");
    assertThat(
            CrdSchema.violations(
                spec,
                Chart.YAML.readTree("{addressPools: [a, b, c], interfaceName: \"no spaces\"}"),
                "spec"))
        .hasSize(2);
  }

  // ---- monitoring

  @Test
  void theServiceMonitorIsRenderedOnlyWhenEnabledAndScrapesTheAgents() {
    assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();

    Doc sm = only(custom.ofKind("ServiceMonitor"));
    assertThat(sm.tree().path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.object().getMetadata().getLabels()).containsEntry("release", "prom");
    Service svc = custom.one(Service.class);
    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(only(svc.getSpec().getPorts()).getPort()).isEqualTo(9191);
    JsonNode spec = sm.tree().path("spec");
    spec.path("selector")
        .path("matchLabels")
        .properties()
        .forEach(
            e ->
                assertThat(svc.getMetadata().getLabels())
                    .containsEntry(e.getKey(), e.getValue().asText()));
    assertThat(spec.path("namespaceSelector").path("matchNames").path(0).asText())
        .isEqualTo(Chart.NAMESPACE);
    JsonNode endpoint = only(toList(spec.path("endpoints")));
    assertThat(endpoint.path("port").asText()).isEqualTo(only(svc.getSpec().getPorts()).getName());
    assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
    assertThat(endpoint.path("interval").asText()).isEqualTo("15s");

    assertThat(Chart.template(Map.of("metrics.service.enabled", "false")).ofKind("Service"))
        .isEmpty();
  }

  // ---- NOTES and README

  @Test
  void theNotesSayWhatToDoNext() {
    String notes = installNotes(Map.of());
    assertThat(notes)
        .contains(
            "kubectl -n wiremesh-system get deploy,ds,pods -l app.kubernetes.io/instance=wiremesh")
        .contains("kubectl get wgm")
        .contains("kubectl get wgp")
        .contains("kind: WireGuardPeer")
        .contains("wiremesh-peer-")
        .contains("status.configSecretRef")
        .contains("--set mesh.create=true");
    assertThat(installNotes(Map.of("mesh.create", "true", "mesh.name", "corp")))
        .contains("The mesh \"corp\" was created")
        .contains("mesh: corp")
        .doesNotContain("--set mesh.create=true");
  }

  @Test
  void theReadmeDocumentsEveryValue() throws IOException {
    String readme = Files.readString(Chart.DIR.resolve("README.md"));
    List<String> leaves = new ArrayList<>();
    leafKeys(Chart.YAML.readTree(Chart.DIR.resolve("values.yaml").toFile()), "", leaves);
    assertThat(leaves).contains("agent.image.repository", "mesh.addressPools", "imagePullSecrets");
    assertThat(leaves)
        .as("values.yaml keys that helm/wiremesh/README.md does not mention as `key`")
        .allSatisfy(k -> assertThat(readme).contains("`" + k + "`"));
  }

  // ---- helpers

  static Path copyChart(Path to) throws IOException {
    Path copy = to.resolve("wiremesh");
    try (Stream<Path> files = Files.walk(Chart.DIR)) {
      for (Path p : files.toList()) {
        Path target = copy.resolve(Chart.DIR.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return copy;
  }

  static String installNotes(Map<String, String> sets) {
    var install =
        new Helm(Chart.DIR)
            .install()
            .withName(Chart.RELEASE)
            .withNamespace(Chart.NAMESPACE)
            .clientOnly()
            .dryRun();
    sets.forEach(install::set);
    String out = install.call().getOutput();
    assertThat(out).contains("NOTES:");
    return out.substring(out.indexOf("NOTES:"));
  }

  static List<String> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  static JsonNode meshCrd() throws IOException {
    return Chart.YAML.readTree(
        Chart.DIR.resolve("crds/wireguardmeshes.wiremesh.dev-v1.yml").toFile());
  }

  static void assertMeshFitsTheCrd(Doc doc) throws IOException {
    JsonNode crd = meshCrd();
    JsonNode version = crd.path("spec").path("versions").path(0);
    assertThat(doc.tree().path("apiVersion").asText())
        .isEqualTo(crd.path("spec").path("group").asText() + "/" + version.path("name").asText());
    assertThat(doc.kind()).isEqualTo(crd.path("spec").path("names").path("kind").asText());
    assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Cluster");
    assertThat(doc.tree().path("metadata").has("namespace")).isFalse();
    assertThat(
            CrdSchema.violations(
                CrdSchema.schemaOf(crd),
                ((ObjectNode) doc.tree().deepCopy())
                    .without(List.of("apiVersion", "kind", "metadata")),
                ""))
        .isEmpty();
  }

  static PodSpec agentPod(Rendered r) {
    return r.one(DaemonSet.class).getSpec().getTemplate().getSpec();
  }

  static <T> T only(List<T> list) {
    assertThat(list).hasSize(1);
    return list.getFirst();
  }

  static List<JsonNode> toList(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  static Map<String, EnvVar> env(Container c) {
    Map<String, EnvVar> out = new LinkedHashMap<>();
    c.getEnv()
        .forEach(e -> assertThat(out.put(e.getName(), e)).as("%s twice", e.getName()).isNull());
    return out;
  }

  static int port(Container c, String name) {
    return c.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  static void assertProbe(Container c, Probe probe, String path, int port) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    var p = probe.getHttpGet().getPort();
    assertThat(p.getStrVal() != null ? port(c, p.getStrVal()) : p.getIntVal())
        .as(path)
        .isEqualTo(port);
    assertThat(probe.getHttpGet().getScheme()).isIn(null, "HTTP");
  }

  static VolumeMount mount(Container c, String path) {
    return c.getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
  }

  static Volume mountedAt(PodSpec pod, Container c, String path) {
    String name = mount(c, path).getName();
    return pod.getVolumes().stream()
        .filter(v -> name.equals(v.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  static Map<String, String> selector(String labelSelector) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String term : labelSelector.split(",")) {
      String[] kv = term.split("=", 2);
      assertThat(kv).as("an equality term: %s", term).hasSize(2);
      out.put(kv[0].trim(), kv[1].trim());
    }
    return out;
  }

  static <T extends HasMetadata> List<PolicyRule> rules(
      List<HasMetadata> manifest, Class<T> type, Function<T, List<PolicyRule>> rules) {
    return manifest.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .map(rules)
        .flatMap(List::stream)
        .toList();
  }

  /** Rules as sets of (sorted groups, resources, verbs): order inside a rule does not matter. */
  static Set<String> normalized(List<PolicyRule> rules) {
    return rules.stream()
        .map(
            r ->
                new TreeSet<>(r.getApiGroups())
                    + " "
                    + new TreeSet<>(r.getResources())
                    + " "
                    + new TreeSet<>(r.getVerbs())
                    + " "
                    + new TreeSet<>(r.getResourceNames())
                    + " "
                    + new TreeSet<>(r.getNonResourceURLs()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The property names of a {@code @ConfigMapping} interface (nested groups included). */
  static List<String> configNames(Class<?> mapping) {
    List<String> out = new ArrayList<>();
    collect(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), out);
    return out;
  }

  private static void collect(Class<?> type, String prefix, List<String> out) {
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.getParameterCount() > 0) {
        continue;
      }
      String name = prefix + "." + kebab(m.getName());
      if (m.getReturnType().isInterface() && m.getReturnType().getEnclosingClass() == type) {
        collect(m.getReturnType(), name, out);
      } else {
        out.add(name);
      }
    }
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
  }

  /** A property's environment variable, as SmallRye Config maps it. */
  static String toEnv(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
  }

  static Properties applicationProperties(String module) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(Chart.read(module + "/src/main/resources/application.properties")));
    return p;
  }

  /** The properties a module's application.properties sets (the default profile). */
  static List<String> properties(String module) throws IOException {
    return applicationProperties(module).stringPropertyNames().stream()
        .filter(n -> !n.startsWith("%"))
        .toList();
  }

  /** The variables application.properties reads, as in {@code ${POD_NAMESPACE:default}}. */
  static List<String> referencedVariables(String module) throws IOException {
    List<String> out = new ArrayList<>();
    Matcher m =
        Pattern.compile("\\$\\{([A-Za-z0-9_.]+)")
            .matcher(Chart.read(module + "/src/main/resources/application.properties"));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Dotted paths of the values: a non-empty map is walked; anything else is a leaf. */
  static void leafKeys(JsonNode node, String prefix, List<String> out) {
    if (node.isObject() && !node.isEmpty()) {
      node.properties()
          .forEach(
              e ->
                  leafKeys(
                      e.getValue(),
                      prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                      out));
    } else {
      out.add(prefix);
    }
  }
}
