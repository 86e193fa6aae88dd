package io.backfill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.topic.Topics;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/k8s rendered (base, production overlay, HPA alternative) and checked object by object. */
class KubernetesManifestsTest {

  static final List<String> SERVICES = RunningStack.SERVICES;

  private static List<ObjectNode> render(String directory) {
    return Kustomization.render(Repository.file("deploy/k8s/" + directory));
  }

  private static List<ObjectNode> ofKind(List<ObjectNode> objects, String kind) {
    return objects.stream().filter(o -> o.get("kind").asText().equals(kind)).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void everyServiceRunsWithHealthProbesOnItsPortResourcesAndRollingUpdates(String directory) {
    List<ObjectNode> objects = render(directory);
    assertThat(ofKind(objects, "Deployment").stream().map(Kustomization::name))
        .containsExactlyInAnyOrderElementsOf(SERVICES);
    for (ObjectNode deployment : ofKind(objects, "Deployment")) {
      String module = Kustomization.name(deployment);
      JsonNode container = deployment.at("/spec/template/spec/containers/0");
      assertThat(deployment.at("/spec/template/spec/containers").size()).isEqualTo(1);
      assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
      assertThat(container.at("/ports/0/containerPort").asInt())
          .as("%s container port", module)
          .isEqualTo(Repository.httpPort(module));
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
      assertThat(container.at("/readinessProbe/httpGet/path").asText())
          .isEqualTo("/q/health/ready");
      assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
      assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
      assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
          .isEqualTo(String.valueOf(Repository.httpPort(module)));
      for (String resource : List.of("cpu", "memory")) {
        BigDecimal request = quantity(container.at("/resources/requests/" + resource));
        BigDecimal limit = quantity(container.at("/resources/limits/" + resource));
        assertThat(request).as("%s %s request", module, resource).isPositive();
        assertThat(limit).as("%s %s limit", module, resource).isGreaterThanOrEqualTo(request);
      }
      assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
      assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt())
          .as("%s never drops below its wanted replicas while rolling", module)
          .isZero();
      assertThat(labels(deployment.at("/spec/template/metadata/labels")))
          .as("%s selector matches its pods", module)
          .containsAllEntriesOf(labels(deployment.at("/spec/selector/matchLabels")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void servicesAndDisruptionBudgetsSelectTheirDeploymentsPods(String directory) {
    List<ObjectNode> objects = render(directory);
    for (ObjectNode service : ofKind(objects, "Service")) {
      ObjectNode deployment = onlyMatch(objects, service.at("/spec/selector"));
      String module = Kustomization.name(deployment);
      assertThat(Kustomization.name(service)).isIn(module, module + "-internal");
      for (JsonNode port : service.at("/spec/ports")) {
        assertThat(port.get("port").asInt())
            .as("%s port %s", Kustomization.name(service), port.get("name").asText())
            .isEqualTo(containerPort(deployment, port.get("targetPort").asText()));
      }
      if (Kustomization.name(service).equals(module)) {
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(Repository.httpPort(module));
      }
    }
    List<ObjectNode> budgets = ofKind(objects, "PodDisruptionBudget");
    assertThat(budgets.stream().map(Kustomization::name))
        .containsExactlyInAnyOrderElementsOf(SERVICES);
    for (ObjectNode budget : budgets) {
      ObjectNode deployment = onlyMatch(objects, budget.at("/spec/selector/matchLabels"));
      // One replica and maxUnavailable 1 would let a drain take the service away entirely.
      assertThat(deployment.at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void eachServiceLoadsTheSharedConfigMapAndOnlyItsOwnSecret(String directory) {
    List<ObjectNode> objects = render(directory);
    assertThat(ofKind(objects, "Secret").stream().map(Kustomization::name))
        .containsExactlyInAnyOrderElementsOf(SERVICES.stream().map(m -> m + "-secrets").toList());
    for (ObjectNode deployment : ofKind(objects, "Deployment")) {
      String module = Kustomization.name(deployment);
      JsonNode container = deployment.at("/spec/template/spec/containers/0");
      assertThat(Kustomization.stream(container.get("envFrom")).stream().map(JsonNode::toString))
          .as("%s envFrom", module)
          .containsExactlyInAnyOrder(
              "{\"configMapRef\":{\"name\":\"backfill-config\"}}",
              "{\"secretRef\":{\"name\":\"" + module + "-secrets\"}}");
      // Nor a single key or a volume from another service's Secret.
      assertThat(secretsReferenced(deployment.at("/spec/template/spec")))
          .as("%s Secrets referenced", module)
          .containsOnly(module + "-secrets");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void eachServicesSecretHoldsOnlyTheKeysThatServiceNeeds(String directory) {
    List<ObjectNode> objects = render(directory);
    Map<String, Set<String>> needed =
        Map.of(
            "api-gateway",
            Set.of(
                "BACKFILL_DB_USER",
                "BACKFILL_DB_PASSWORD",
                "BACKFILL_ADMIN_TOKEN",
                "BACKFILL_SERVICE_TOKEN",
                "BACKFILL_MASTER_KEY",
                "BACKFILL_GATEWAY_GRAPH_CLIENT_ID",
                "BACKFILL_GATEWAY_GRAPH_CLIENT_SECRET",
                "BACKFILL_GATEWAY_GRAPH_CONSENT_REDIRECT_URI"),
            "ingest-fetcher",
            Set.of(
                "BACKFILL_DB_USER",
                "BACKFILL_DB_PASSWORD",
                "BACKFILL_SERVICE_TOKEN",
                "BACKFILL_GRAPH_CLIENT_ID",
                "BACKFILL_GRAPH_CLIENT_SECRET"),
            "extraction-worker",
            Set.of(
                "BACKFILL_DB_USER",
                "BACKFILL_DB_PASSWORD",
                "BACKFILL_WORKER_CREDENTIALS_SERVICE_TOKEN"),
            "heartbeat-monitor",
            Set.of("BACKFILL_DB_USER", "BACKFILL_DB_PASSWORD"));
    for (String module : SERVICES) {
      Set<String> keys = secretKeys(Kustomization.find(objects, "Secret", module + "-secrets"));
      assertThat(keys)
          .as("%s Secret", module)
          .containsExactlyInAnyOrderElementsOf(needed.get(module));
      for (String key : keys) {
        assertThat(reads(module, key)).as("%s reads %s", module, key).isTrue();
      }
      // The master key opens every tenant's stored secrets; the admin token every admin endpoint.
      if (!module.equals("api-gateway")) {
        assertThat(keys)
            .as("%s Secret", module)
            .doesNotContain("BACKFILL_MASTER_KEY", "BACKFILL_MASTER_KEYS", "BACKFILL_ADMIN_TOKEN");
      }
    }
    ObjectNode config = Kustomization.find(objects, "ConfigMap", "backfill-config");
    for (String key : fieldNames(config.get("data"))) {
      assertThat(SERVICES.stream().anyMatch(module -> reads(module, key)))
          .as("a service reads %s", key)
          .isTrue();
      assertThat(key).as("the shared ConfigMap holds no secret").doesNotMatch(SECRET_NAME);
    }
    assertThat(fieldNames(config.get("data")))
        .contains("KAFKA_BOOTSTRAP_SERVERS", "BACKFILL_DB_URL", "BACKFILL_GRAPH_CONNECTIONS");
    for (ObjectNode deployment : ofKind(objects, "Deployment")) {
      String module = Kustomization.name(deployment);
      for (JsonNode variable : deployment.at("/spec/template/spec/containers/0/env")) {
        assertThat(reads(module, variable.get("name").asText()))
            .as("%s reads %s", module, variable.get("name").asText())
            .isTrue();
      }
    }
  }

  @Test
  void theBaseSecretsHoldOnlyPlaceholdersTheServicesRefuse() {
    for (ObjectNode secret : ofKind(render("base"), "Secret")) {
      assertThat(secret.has("data"))
          .as("%s: no base64 values to hide a real one", name(secret))
          .isFalse();
      secret
          .get("stringData")
          .properties()
          .forEach(
              entry -> {
                if (!entry.getKey().matches(SECRET_NAME)) {
                  return;
                }
                String value = entry.getValue().asText();
                assertThat(value)
                    .as("%s %s", name(secret), entry.getKey())
                    .startsWith("replace-me");
                // The gateway refuses tokens shorter than 32 characters and keys that are not
                // base64 of 32 bytes: a deployment that kept a placeholder does not start.
                assertThat(value.length()).isLessThan(32);
                assertThat(isBase64Of32Bytes(value)).isFalse();
              });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void onlyTheFetcherAndTheWorkersReachTheGatewaysInternalPort(String directory) {
    List<ObjectNode> objects = render(directory);
    ObjectNode gateway = Kustomization.find(objects, "Deployment", "api-gateway");
    Map<String, String> gatewayPods = podLabels(gateway);
    int internal = containerPort(gateway, "internal");
    int http = containerPort(gateway, "http");
    assertThat(NetworkPolicies.selecting(objects, gatewayPods)).isNotEmpty();
    for (ObjectNode deployment : ofKind(objects, "Deployment")) {
      String caller = Kustomization.name(deployment);
      assertThat(NetworkPolicies.allows(objects, podLabels(deployment), gatewayPods, internal))
          .as("%s pods reach the gateway's internal port", caller)
          .isEqualTo(caller.equals("ingest-fetcher") || caller.equals("extraction-worker"));
      assertThat(NetworkPolicies.allows(objects, podLabels(deployment), gatewayPods, http))
          .as("%s pods reach the gateway's public port", caller)
          .isTrue();
      // Prometheus and the gateway's fleet view still reach every service's own port.
      assertThat(
              NetworkPolicies.allows(
                  objects,
                  NetworkPolicies.OUTSIDE,
                  podLabels(deployment),
                  containerPort(deployment, "http")))
          .as("%s public port from outside", caller)
          .isTrue();
    }
    assertThat(NetworkPolicies.allows(objects, NetworkPolicies.OUTSIDE, gatewayPods, internal))
        .as("the internal port from an ingress controller or any other pod")
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void theFetcherAndTheWorkersCallTheGatewayOnItsInternalServiceOnly(String directory) {
    List<ObjectNode> objects = render(directory);
    ObjectNode gateway = Kustomization.find(objects, "Deployment", "api-gateway");
    int internal = containerPort(gateway, "internal");
    assertThat(internal).isNotEqualTo(Repository.httpPort("api-gateway"));
    assertThat(env(gateway))
        .containsEntry("BACKFILL_GATEWAY_INTERNAL_PORT", String.valueOf(internal));
    ObjectNode publicService = Kustomization.find(objects, "Service", "api-gateway");
    assertThat(Kustomization.stream(publicService.at("/spec/ports")))
        .as("the public Service never carries the internal port")
        .allMatch(port -> port.get("targetPort").asText().equals("http"));
    ObjectNode internalService = Kustomization.find(objects, "Service", "api-gateway-internal");
    assertThat(internalService).isNotNull();
    assertThat(internalService.at("/spec/ports").size()).isEqualTo(1);
    assertThat(internalService.at("/spec/ports/0/targetPort").asText()).isEqualTo("internal");
    String url = "http://api-gateway-internal:" + internalService.at("/spec/ports/0/port").asInt();
    ObjectNode config = Kustomization.find(objects, "ConfigMap", "backfill-config");
    assertThat(config.at("/data/BACKFILL_GATEWAY_URL").asText()).as("fetcher").isEqualTo(url);
    assertThat(config.at("/data/BACKFILL_WORKER_CREDENTIALS_GATEWAY_URL").asText())
        .as("worker")
        .isEqualTo(url);
    // Production refuses "static": every tenant's directory comes from the gateway.
    assertThat(config.at("/data/BACKFILL_GRAPH_CONNECTIONS").asText()).isEqualTo("gateway");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production"})
  void kedaScalesTheWorkerOnItsGroupsLagOnBackfillChunks(String directory) {
    List<ObjectNode> objects = render(directory);
    List<ObjectNode> scaled = ofKind(objects, "ScaledObject");
    assertThat(scaled).hasSize(1);
    JsonNode scaledObject = scaled.get(0);
    assertThat(scaledObject.at("/spec/scaleTargetRef/name").asText())
        .isEqualTo("extraction-worker");
    assertThat(Kustomization.find(objects, "Deployment", "extraction-worker")).isNotNull();
    JsonNode trigger = scaledObject.at("/spec/triggers/0");
    Map<String, String> worker = Repository.applicationProperties("extraction-worker");
    assertThat(trigger.get("type").asText()).isEqualTo("kafka");
    assertThat(trigger.at("/metadata/topic").asText())
        .isEqualTo(worker.get("mp.messaging.incoming.backfill-chunks.topic"))
        .isEqualTo(Topics.BACKFILL_CHUNKS);
    assertThat(trigger.at("/metadata/consumerGroup").asText())
        .isEqualTo(worker.get("mp.messaging.incoming.backfill-chunks.group.id"));
    assertThat(trigger.at("/metadata/bootstrapServers").asText())
        .isEqualTo(
            Kustomization.find(objects, "ConfigMap", "backfill-config")
                .at("/data/KAFKA_BOOTSTRAP_SERVERS")
                .asText());
    // More consumers than partitions would sit idle.
    assertThat(scaledObject.at("/spec/maxReplicaCount").asInt())
        .isLessThanOrEqualTo(Topics.CHUNKS.partitions());
    assertThat(ofKind(objects, "HorizontalPodAutoscaler")).isEmpty();
  }

  @Test
  void theHpaAlternativeScalesTheWorkerWithoutKeda() {
    List<ObjectNode> objects = render("scaling-hpa");
    assertThat(ofKind(objects, "ScaledObject")).isEmpty();
    List<ObjectNode> hpas = ofKind(objects, "HorizontalPodAutoscaler");
    assertThat(hpas).hasSize(1);
    assertThat(hpas.get(0).at("/spec/scaleTargetRef/name").asText()).isEqualTo("extraction-worker");
    assertThat(hpas.get(0).at("/spec/maxReplicas").asInt())
        .isLessThanOrEqualTo(Topics.CHUNKS.partitions());
    // Utilization targets need requests to be measured against.
    assertThat(
            Kustomization.find(objects, "Deployment", "extraction-worker")
                .at("/spec/template/spec/containers/0/resources/requests/cpu")
                .isMissingNode())
        .isFalse();
  }

  @Test
  void productionPinsImagesInItsNamespaceAndKeepsSelectorsStable() {
    List<ObjectNode> base = render("base");
    List<ObjectNode> production = render("overlays/production");
    for (ObjectNode object : production) {
      assertThat(object.at("/metadata/namespace").asText()).isEqualTo("backfill");
    }
    for (ObjectNode deployment : ofKind(production, "Deployment")) {
      String module = Kustomization.name(deployment);
      assertThat(deployment.at("/spec/template/spec/containers/0/image").asText())
          .matches("registry\\.example\\.com/backfill/" + module + ":[0-9][^:]*");
      // Selectors are immutable on a Deployment: an overlay that changed them could not roll.
      assertThat(deployment.at("/spec/selector"))
          .isEqualTo(Kustomization.find(base, "Deployment", module).at("/spec/selector"));
      assertThat(
              deployment.at("/spec/template/metadata/labels/app.kubernetes.io~1instance").asText())
          .isEqualTo("backfill-production");
    }
    assertThat(
            Kustomization.find(production, "Deployment", "extraction-worker")
                .at("/spec/template/spec/containers/0/resources/limits/memory")
                .asText())
        .isEqualTo("2Gi");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void theRenderIsWhatKubectlKustomizeRenders(String directory) throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    Assumptions.assumeTrue(
        Files.isExecutable(kubectl),
        "SKIPPED: kubectl is not installed; the Java render was not compared with kustomize's");
    Path output = Files.createTempFile("kustomize-", ".yaml");
    try {
      Process process =
          new ProcessBuilder(
                  kubectl.toString(), "kustomize", k8sDirectory().resolve(directory).toString())
              .redirectOutput(output.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
      assertThat(process.exitValue()).isZero();
      assertThat(render(directory))
          .containsExactlyInAnyOrderElementsOf(
              Repository.yamlDocuments(output).stream().map(ObjectNode.class::cast).toList());
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Environment variable names that hold a secret (tokens, passwords, keys). */
  static final String SECRET_NAME = ".*(TOKEN|PASSWORD|SECRET|MASTER_KEY).*";

  private static boolean reads(String module, String variable) {
    return variable.equals("JAVA_MAX_MEM_RATIO")
        || Repository.environmentReferences(module).containsKey(variable)
        || Repository.environmentNamesOfKeys(module).contains(variable)
        || ComposeFileTest.isConfigMappingKey(module, variable);
  }

  private static Set<String> secretKeys(ObjectNode secret) {
    assertThat(secret).isNotNull();
    Set<String> keys = fieldNames(secret.get("stringData"));
    keys.addAll(fieldNames(secret.get("data")));
    return keys;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    if (node != null) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  /** Names of every Secret a pod spec loads: envFrom, single keys, volumes. */
  private static Set<String> secretsReferenced(JsonNode node) {
    Set<String> names = new TreeSet<>();
    if (node.isContainerNode()) {
      node.properties()
          .forEach(
              field -> {
                switch (field.getKey()) {
                  case "secretRef", "secretKeyRef" ->
                      names.add(field.getValue().get("name").asText());
                  case "secret" -> names.add(field.getValue().get("secretName").asText());
                  default -> names.addAll(secretsReferenced(field.getValue()));
                }
              });
      if (node.isArray()) {
        node.forEach(item -> names.addAll(secretsReferenced(item)));
      }
    }
    return names;
  }

  private static int containerPort(ObjectNode deployment, String name) {
    for (JsonNode port : deployment.at("/spec/template/spec/containers/0/ports")) {
      if (port.get("name").asText().equals(name)) {
        return port.get("containerPort").asInt();
      }
    }
    throw new AssertionError(Kustomization.name(deployment) + " has no container port " + name);
  }

  private static Map<String, String> env(ObjectNode deployment) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode variable : deployment.at("/spec/template/spec/containers/0/env")) {
      env.put(variable.get("name").asText(), variable.path("value").asText());
    }
    return env;
  }

  private static Map<String, String> podLabels(ObjectNode deployment) {
    return labels(deployment.at("/spec/template/metadata/labels"));
  }

  private static boolean isBase64Of32Bytes(String value) {
    try {
      return Base64.getDecoder().decode(value).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String name(JsonNode object) {
    return Kustomization.name(object);
  }

  private static ObjectNode onlyMatch(List<ObjectNode> objects, JsonNode selector) {
    Map<String, String> wanted = labels(selector);
    List<ObjectNode> matches =
        ofKind(objects, "Deployment").stream()
            .filter(
                d ->
                    labels(d.at("/spec/template/metadata/labels"))
                        .entrySet()
                        .containsAll(wanted.entrySet()))
            .toList();
    assertThat(matches).as("deployments selected by %s", wanted).hasSize(1);
    return matches.get(0);
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new HashMap<>();
    node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  /** A Kubernetes quantity in base units (cores, bytes). */
  static BigDecimal quantity(JsonNode node) {
    String text = node.asText();
    Map<String, BigDecimal> suffixes =
        Map.of(
            "m", new BigDecimal("0.001"),
            "Ki", BigDecimal.valueOf(1024L),
            "Mi", BigDecimal.valueOf(1024L * 1024),
            "Gi", BigDecimal.valueOf(1024L * 1024 * 1024));
    for (var suffix : suffixes.entrySet()) {
      if (text.endsWith(suffix.getKey())) {
        return new BigDecimal(text.substring(0, text.length() - suffix.getKey().length()))
            .multiply(suffix.getValue());
      }
    }
    return new BigDecimal(text);
  }

  static Path k8sDirectory() {
    return Repository.file("deploy/k8s");
  }
}
